// A photo-like test image, shared by the tests and the benchmark: smooth lighting gradients, soft-edged shapes of
// several sizes, fine texture and sensor noise, so a JPEG of it compresses (and decodes) like a real photo rather
// than like a flat synthetic frame. Deterministic for a seed.
import sharp from "sharp";
import { Rng } from "@cotrain/core";

/** RGB HWC bytes, width × height × 3. */
export function photoLikePixels(width, height, seed = 0) {
  const rng = Rng.from(seed, "photo-like");
  const px = new Float32Array(width * height * 3);
  // Lighting: a few low-frequency waves per channel.
  const waves = Array.from({ length: 4 }, () => ({ fx: rng.uniform(0.5, 3) / width, fy: rng.uniform(0.5, 3) / height, phase: rng.uniform(0, 6.283), amp: [rng.uniform(10, 40), rng.uniform(10, 40), rng.uniform(10, 40)] }));
  const base = [rng.uniform(60, 160), rng.uniform(60, 160), rng.uniform(60, 160)];
  // sin(a + b) = sin a cos b + cos a sin b: per-row and per-column tables instead of a sine per pixel.
  const tables = waves.map((w) => ({
    sx: Float64Array.from({ length: width }, (_, x) => Math.sin(6.283 * w.fx * x + w.phase)),
    cx: Float64Array.from({ length: width }, (_, x) => Math.cos(6.283 * w.fx * x + w.phase)),
    sy: Float64Array.from({ length: height }, (_, y) => Math.sin(6.283 * w.fy * y)),
    cy: Float64Array.from({ length: height }, (_, y) => Math.cos(6.283 * w.fy * y)),
    amp: w.amp,
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        let v = base[c];
        for (const t of tables) v += t.amp[c] * (t.sx[x] * t.cy[y] + t.cx[x] * t.sy[y]);
        px[o + c] = v;
      }
    }
  }
  // Objects: soft discs and boxes with their own shading and a striped texture on some.
  for (let k = 0; k < 24; k++) {
    const r = rng.uniform(0.03, 0.16) * Math.min(width, height);
    const cx = rng.uniform(0, width);
    const cy = rng.uniform(0, height);
    const color = [rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)];
    const disc = rng.float() < 0.5;
    const stripes = rng.float() < 0.4 ? rng.uniform(3, 12) : 0;
    const x0 = Math.max(0, Math.floor(cx - r - 2));
    const x1 = Math.min(width, Math.ceil(cx + r + 2));
    const y0 = Math.max(0, Math.floor(cy - r - 2));
    const y1 = Math.min(height, Math.ceil(cy + r + 2));
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const d = disc ? Math.hypot(x - cx, y - cy) - r : Math.max(Math.abs(x - cx), Math.abs(y - cy)) - r;
        const alpha = Math.min(1, Math.max(0, 0.5 - d / 1.5)); // about 1.5 px of antialiased edge
        if (alpha === 0) continue;
        const shade = 0.75 + 0.25 * ((y - cy) / r) + (stripes ? 0.12 * Math.sin(x / stripes) : 0);
        const o = (y * width + x) * 3;
        for (let c = 0; c < 3; c++) px[o + c] = px[o + c] * (1 - alpha) + color[c] * shade * alpha;
      }
    }
  }
  // Texture over everything: multi-octave value noise (foliage, fabric, grain), the high frequencies real photos
  // are full of.
  for (const cell of [32, 12, 5, 2]) {
    const gw = Math.ceil(width / cell) + 2;
    const gh = Math.ceil(height / cell) + 2;
    const grid = Float32Array.from({ length: gw * gh }, () => rng.normal());
    const amp = 8 + cell / 4;
    for (let y = 0; y < height; y++) {
      const gy = y / cell;
      const iy = Math.floor(gy);
      const ty = gy - iy;
      for (let x = 0; x < width; x++) {
        const gx = x / cell;
        const ix = Math.floor(gx);
        const tx = gx - ix;
        const a = grid[iy * gw + ix] * (1 - tx) + grid[iy * gw + ix + 1] * tx;
        const b = grid[(iy + 1) * gw + ix] * (1 - tx) + grid[(iy + 1) * gw + ix + 1] * tx;
        const v = amp * (a * (1 - ty) + b * ty);
        const o = (y * width + x) * 3;
        px[o] += v;
        px[o + 1] += v * 0.9;
        px[o + 2] += v * 0.8;
      }
    }
  }
  const out = new Uint8Array(width * height * 3);
  // Sensor noise: mostly luminance (shared by the channels), a little chroma. A sum of four random bytes is
  // near-Gaussian (std 147.8) and far cheaper than Box-Muller for a million pixels.
  const bytesum = (u) => (u & 255) + ((u >>> 8) & 255) + ((u >>> 16) & 255) + (u >>> 24) - 510;
  for (let i = 0; i < out.length; i += 3) {
    const luma = (7 / 147.8) * bytesum(rng.uint32());
    const chroma = rng.uint32();
    for (let c = 0; c < 3; c++) {
      const v = px[i + c] + luma + (2 / 73.9) * (((chroma >>> (8 * c)) & 255) - 127.5);
      out[i + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return out;
}

/** The photo-like image as a JPEG (4:2:0; quality 95 gives ~165 KB at 640×480, like a COCO photo). */
export async function photoLikeJpeg(width, height, seed = 0, quality = 95) {
  const raw = photoLikePixels(width, height, seed);
  return new Uint8Array(await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toBuffer());
}
