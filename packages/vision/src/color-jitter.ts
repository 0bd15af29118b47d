/**
 * Brightness, contrast, saturation and hue jitter on Uint8 RGB HWC pixels, in place, with the semantics of
 * TensorFlow's `tf.image.adjust_*` that Octo and OpenVLA train with: brightness adds a delta, contrast scales
 * each channel around its image mean, saturation scales HSV S, hue rotates HSV H; values are clipped to the
 * valid range after each step and rounded to bytes once at the end.
 *
 * Only IEEE-754 arithmetic, comparisons, truncation and rounding are used (no transcendental functions), and the
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
  const n = pixels.length;
  // Brightness then contrast act on each channel's byte value alone, so they are one 256-entry table per channel.
  // Contrast needs each channel's mean after brightness: take it from a histogram (sums in a fixed order).
  const bright = new Float64Array(256);
  const delta = j.brightness * 255;
  for (let v = 0; v < 256; v++) bright[v] = clip(v + delta);
  const mean = [0, 0, 0];
  if (j.contrast !== 1) {
    const hist = new Uint32Array(768);
    for (let i = 0; i < n; i += 3) {
      const r = pixels[i] as number;
      const g = 256 + (pixels[i + 1] as number);
      const b = 512 + (pixels[i + 2] as number);
      hist[r] = (hist[r] as number) + 1;
      hist[g] = (hist[g] as number) + 1;
      hist[b] = (hist[b] as number) + 1;
    }
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let v = 0; v < 256; v++) sum += (hist[c * 256 + v] as number) * (bright[v] as number);
      mean[c] = sum / (n / 3);
    }
  }
  const table = new Float64Array(768);
  for (let c = 0; c < 3; c++) {
    const m = mean[c] as number;
    for (let v = 0; v < 256; v++) table[c * 256 + v] = j.contrast === 1 ? (bright[v] as number) : clip(((bright[v] as number) - m) * j.contrast + m);
  }
  if (j.saturation === 1 && j.hue === 0) {
    const bytes = new Uint8Array(768);
    for (let i = 0; i < 768; i++) bytes[i] = Math.round(table[i] as number);
    for (let i = 0; i < n; i += 3) {
      pixels[i] = bytes[pixels[i] as number] as number;
      pixels[i + 1] = bytes[256 + (pixels[i + 1] as number)] as number;
      pixels[i + 2] = bytes[512 + (pixels[i + 2] as number)] as number;
    }
    return;
  }
  shiftHsv(pixels, table, j.saturation, j.hue);
}

/** Per pixel: table lookup → HSV, S × saturation (clipped to 1), H + hue (wrapped) → RGB, rounded to bytes. */
function shiftHsv(pixels: Uint8Array, table: Float64Array, saturation: number, hue: number): void {
  const n = pixels.length;
  for (let i = 0; i < n; i += 3) {
    const r = table[pixels[i] as number] as number;
    const g = table[256 + (pixels[i + 1] as number)] as number;
    const b = table[512 + (pixels[i + 2] as number)] as number;
    const max = r > g ? (r > b ? r : b) : g > b ? g : b;
    const min = r < g ? (r < b ? r : b) : g < b ? g : b;
    const chroma = max - min;
    let o0 = r;
    let o1 = g;
    let o2 = b;
    if (chroma > 0) {
      let h = max === r ? (g - b) / chroma : max === g ? 2 + (b - r) / chroma : 4 + (r - g) / chroma;
      h = h / 6 + hue; // in [-2/3, 4/3): one wrap is h - floor(h)
      if (h < 0) h += 1;
      else if (h >= 1) h -= 1;
      let s = (chroma / max) * saturation;
      if (s > 1) s = 1;
      const h6 = h * 6;
      const sector = h6 | 0; // h6 ≥ 0: truncation is floor
      const frac = h6 - sector;
      const p = max * (1 - s);
      const q = max * (1 - s * frac);
      const t = max * (1 - s * (1 - frac));
      if (sector === 0) { o0 = max; o1 = t; o2 = p; }
      else if (sector === 1) { o0 = q; o1 = max; o2 = p; }
      else if (sector === 2) { o0 = p; o1 = max; o2 = t; }
      else if (sector === 3) { o0 = p; o1 = q; o2 = max; }
      else if (sector === 4) { o0 = t; o1 = p; o2 = max; }
      else { o0 = max; o1 = p; o2 = q; }
    }
    // Values are ≥ 0, where (x + 0.5) | 0 is Math.round(x).
    pixels[i] = (o0 + 0.5) | 0;
    pixels[i + 1] = (o1 + 0.5) | 0;
    pixels[i + 2] = (o2 + 0.5) | 0;
  }
}

function clip(x: number): number {
  return x < 0 ? 0 : x > 255 ? 255 : x;
}
