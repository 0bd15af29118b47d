/**
 * Brightness, contrast, saturation and hue jitter on Uint8 RGB HWC pixels, in place, with the semantics of
 * TensorFlow's `tf.image.adjust_*` that Octo and OpenVLA train with: brightness adds a delta, contrast scales
 * each channel around its image mean, saturation scales HSV S, hue rotates HSV H; values are clipped to the
 * valid range after each step and rounded to bytes once at the end.
 *
 * Only IEEE-754 arithmetic, comparisons and Math.floor/round are used (no transcendental functions), and the
 * pixels are visited in a fixed order, so the output is identical byte for byte on every run and platform.
 */
export interface ColorJitter {
  /** Added on the [0, 1] scale. */
  brightness: number;
  contrast: number;
  saturation: number;
  /** Fraction of the colour circle. */
  hue: number;
}

export function isIdentityJitter(j: ColorJitter): boolean {
  return j.brightness === 0 && j.contrast === 1 && j.saturation === 1 && j.hue === 0;
}

export function applyColorJitter(pixels: Uint8Array, j: ColorJitter): void {
  if (isIdentityJitter(j)) return;
  // Brightness on a byte input is a 256-entry table; its clipped result feeds the contrast means.
  const bright = new Float64Array(256);
  const delta = j.brightness * 255;
  for (let v = 0; v < 256; v++) bright[v] = clip(v + delta);
  const n = pixels.length;
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  if (j.contrast !== 1) {
    for (let i = 0; i < n; i += 3) {
      m0 += bright[pixels[i] as number] as number;
      m1 += bright[pixels[i + 1] as number] as number;
      m2 += bright[pixels[i + 2] as number] as number;
    }
    const count = n / 3;
    m0 /= count;
    m1 /= count;
    m2 /= count;
  }
  const f = j.contrast;
  const hsv = j.saturation !== 1 || j.hue !== 0;
  const rgb = [0, 0, 0];
  for (let i = 0; i < n; i += 3) {
    let r = bright[pixels[i] as number] as number;
    let g = bright[pixels[i + 1] as number] as number;
    let b = bright[pixels[i + 2] as number] as number;
    if (f !== 1) {
      r = clip((r - m0) * f + m0);
      g = clip((g - m1) * f + m1);
      b = clip((b - m2) * f + m2);
    }
    if (hsv) {
      shiftHsv(r, g, b, j.saturation, j.hue, rgb);
      r = rgb[0] as number;
      g = rgb[1] as number;
      b = rgb[2] as number;
    }
    pixels[i] = Math.round(r);
    pixels[i + 1] = Math.round(g);
    pixels[i + 2] = Math.round(b);
  }
}

/** RGB (0..255) → HSV, S × saturation (clipped to 1), H + hue (wrapped), → RGB into `out`. */
function shiftHsv(r: number, g: number, b: number, saturation: number, hue: number, out: number[]): void {
  const max = r > g ? (r > b ? r : b) : g > b ? g : b;
  const min = r < g ? (r < b ? r : b) : g < b ? g : b;
  const chroma = max - min;
  if (chroma === 0 || max === 0) {
    out[0] = r;
    out[1] = g;
    out[2] = b;
    return;
  }
  let h = max === r ? (g - b) / chroma : max === g ? 2 + (b - r) / chroma : 4 + (r - g) / chroma;
  h = h / 6 + hue;
  h -= Math.floor(h);
  let s = (chroma / max) * saturation;
  if (s > 1) s = 1;
  const v = max;
  const h6 = h * 6;
  const sector = Math.floor(h6);
  const frac = h6 - sector;
  const p = v * (1 - s);
  const q = v * (1 - s * frac);
  const t = v * (1 - s * (1 - frac));
  switch (sector) {
    case 0: out[0] = v; out[1] = t; out[2] = p; break;
    case 1: out[0] = q; out[1] = v; out[2] = p; break;
    case 2: out[0] = p; out[1] = v; out[2] = t; break;
    case 3: out[0] = p; out[1] = q; out[2] = v; break;
    case 4: out[0] = t; out[1] = p; out[2] = v; break;
    default: out[0] = v; out[1] = p; out[2] = q; break;
  }
}

function clip(x: number): number {
  return x < 0 ? 0 : x > 255 ? 255 : x;
}
