import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { transformImage } from "@cotrain/vision";
import { meanAbsError } from "./fixtures.js";
import { photoLikeJpeg, photoLikePixels } from "../bench/photo.mjs";

/** sharp's own cover resize of raw pixels: no shrink-on-load can apply to raw input, so this is the full-quality reference. */
async function reference(raw: Uint8Array, width: number, height: number, size: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp(Buffer.from(raw), { raw: { width, height, channels: 3 } }).resize(size, size, { fit: "cover", kernel: "lanczos3" }).raw().toBuffer());
}

// Tolerances, as mean absolute error on the 0..255 scale over all pixels and channels:
//  - against sharp resizing the fully decoded JPEG: ≤ 1.25 (0 at 640×480, where sharp decodes at full size;
//    ~0.85 at 960×720, where libjpeg decodes at 1/2 scale);
//  - against sharp resizing the original, never-compressed pixels: ≤ 1.5 (measured ~1.0 at both sizes: the
//    JPEG q95 loss after downscaling).
describe("a photo-like image survives decode → resize", () => {
  for (const [width, height] of [[640, 480], [960, 720]] as const) {
    it(`${width}×${height} JPEG → 224×224`, async () => {
      const original = photoLikePixels(width, height, 21);
      const jpeg = await photoLikeJpeg(width, height, 21);
      const out = await transformImage(jpeg, { size: 224 });
      const decoded = new Uint8Array(await sharp(jpeg).raw().toBuffer());
      const vsDecoded = meanAbsError(out.uint8, await reference(decoded, width, height, 224));
      const vsOriginal = meanAbsError(out.uint8, await reference(original, width, height, 224));
      expect(vsDecoded).toBeLessThanOrEqual(1.25);
      // 960×720 → 224 is a 3.2× reduction: shrink-on-load is on, so the pixels differ (a little) from full decoding.
      if (width === 960) expect(vsDecoded).toBeGreaterThan(0.1);
      expect(vsOriginal).toBeLessThanOrEqual(1.5);
      // The check can fail: the same comparison against a one-pixel shift of the output is far off.
      const shifted = new Uint8Array(out.uint8.length);
      shifted.set(out.uint8.subarray(3));
      expect(meanAbsError(shifted, await reference(original, width, height, 224))).toBeGreaterThan(3);
    });
  }
});
