import { describe, expect, it } from "vitest";
import { ConfigError } from "@cotrain/core";
import { NORMALIZE_PRESETS, transformImage } from "@cotrain/vision";
import { encode, paint, pixelAt } from "./fixtures.js";

const RED = [220, 30, 30] as const;
const GREEN = [30, 200, 60] as const;

/** 320×240: a 40 px red band on the left and right, green (with a blue bar at the top) in the centre 240×240. */
async function bordered(format: "png" | "jpeg"): Promise<Uint8Array> {
  const px = paint(320, 240, (x, y) => (x < 40 || x >= 280 ? RED : y < 30 ? [30, 30, 220] : GREEN));
  return encode(px, 320, 240, format);
}

describe("transformImage", () => {
  it("gives the requested size, HWC Uint8 and Float32 of the same layout", async () => {
    const out = await transformImage(await bordered("jpeg"), { width: 96, height: 64 });
    expect([out.width, out.height, out.channels]).toEqual([96, 64, 3]);
    expect(out.uint8).toBeInstanceOf(Uint8Array);
    expect(out.uint8.length).toBe(96 * 64 * 3);
    expect(out.float32).toBeInstanceOf(Float32Array);
    expect(out.float32?.length).toBe(96 * 64 * 3);
    const square = await transformImage(await bordered("png"), { size: 50 });
    expect([square.width, square.height]).toEqual([50, 50]);
    const tall = await transformImage(await bordered("png"), { size: [70, 30] });
    expect([tall.width, tall.height, tall.uint8.length]).toEqual([30, 70, 30 * 70 * 3]);
  });

  it("crops the centre by default, cutting the border bands away", async () => {
    for (const format of ["png", "jpeg"] as const) {
      const out = await transformImage(await bordered(format), { size: 64 });
      // The centre 240×240 of the source is all that is left: no red inside. Like torchvision's Resize +
      // CenterCrop, the crop offset is a whole pixel of the resized image and the resampling kernel reaches a
      // few source pixels past the crop, so only the outermost output column may carry a tint of the band.
      for (const y of [40, 63]) {
        for (const x of [1, 62]) {
          const [r, g] = pixelAt(out.uint8, 64, x, y);
          expect(g).toBeGreaterThan(170);
          expect(r).toBeLessThan(60);
        }
        for (const x of [0, 63]) expect(pixelAt(out.uint8, 64, x, y)[1]).toBeGreaterThan(100); // mostly green
      }
      // The blue bar (top 30 of 240 rows) keeps its share of the height: rows 0..~7 of 64.
      expect(pixelAt(out.uint8, 64, 32, 2)[2]).toBeGreaterThan(150);
      expect(pixelAt(out.uint8, 64, 32, 12)[2]).toBeLessThan(100);
    }
  });

  it("squash keeps the whole frame: the bands survive at 1/8 of the width each", async () => {
    const out = await transformImage(await bordered("png"), { size: 64, resize: "squash" });
    expect(pixelAt(out.uint8, 64, 2, 40)[0]).toBeGreaterThan(180); // left band (0..8 of 64)
    expect(pixelAt(out.uint8, 64, 61, 40)[0]).toBeGreaterThan(180); // right band
    expect(pixelAt(out.uint8, 64, 32, 40)[1]).toBeGreaterThan(150); // centre still green
    const crop = await transformImage(await bordered("png"), { size: 64 });
    expect(pixelAt(crop.uint8, 64, 2, 40)[0]).toBeLessThan(80);
  });

  it("crops a portrait source top and bottom", async () => {
    const px = paint(60, 120, (_x, y) => (y < 30 || y >= 90 ? RED : GREEN));
    const out = await transformImage(await encode(px, 60, 120, "png"), { size: 30 });
    for (let y = 2; y < 28; y++) pixelAt(out.uint8, 30, 15, y).forEach((v, c) => expect(Math.abs(v - (GREEN[c] as number))).toBeLessThanOrEqual(1));
    for (const y of [0, 29]) expect(pixelAt(out.uint8, 30, 15, y)[1]).toBeGreaterThan(170);
  });

  it("normalizes per channel: unit [0, 1], siglip [-1, 1], imagenet, custom, or Uint8 only", async () => {
    const px = paint(16, 16, (x) => (x < 8 ? [0, 0, 0] : [255, 255, 255]));
    const bytes = await encode(px, 16, 16, "png");
    const spec = { size: 16, resize: "squash" } as const;
    const unit = await transformImage(bytes, spec);
    expect(Math.min(...(unit.float32 as Float32Array))).toBe(0);
    expect(Math.max(...(unit.float32 as Float32Array))).toBe(1);
    unit.uint8.forEach((v, i) => expect(unit.float32?.[i]).toBeCloseTo(v / 255, 6));
    const siglip = await transformImage(bytes, { ...spec, normalize: "siglip" });
    expect([Math.min(...(siglip.float32 as Float32Array)), Math.max(...(siglip.float32 as Float32Array))]).toEqual([-1, 1]);
    const imagenet = await transformImage(bytes, { ...spec, normalize: "imagenet" });
    const { mean, std } = NORMALIZE_PRESETS.imagenet;
    for (let c = 0; c < 3; c++) {
      expect(imagenet.float32?.[c]).toBeCloseTo((0 - mean[c]) / std[c], 5);
      expect(imagenet.float32?.[15 * 3 + c]).toBeCloseTo((1 - mean[c]) / std[c], 5);
    }
    const custom = await transformImage(bytes, { ...spec, normalize: { mean: [0.5, 0, 1], std: 2 } });
    expect(Array.from((custom.float32 as Float32Array).subarray(45, 48))).toEqual([0.25, 0.5, 0]);
    const raw = await transformImage(bytes, { ...spec, normalize: null });
    expect(raw.float32).toBeUndefined();
    expect(raw.uint8).toEqual(unit.uint8);
  });

  it("reads PNG grey, 16-bit PNG, PNG with alpha and lossless WebP as 3-channel RGB", async () => {
    const grey = await encode(new Uint8Array(20 * 10).fill(77), 20, 10, "png", 1);
    const g = await transformImage(grey, { size: 8 });
    expect(g.uint8.length).toBe(8 * 8 * 3);
    expect(new Set(g.uint8)).toEqual(new Set([77]));
    const sharp = (await import("sharp")).default;
    const deep = await sharp(Buffer.from(paint(20, 10, () => [10, 120, 250])), { raw: { width: 20, height: 10, channels: 3 } }).toColourspace("rgb16").png().toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe("ushort");
    const d = pixelAt((await transformImage(new Uint8Array(deep), { size: 8 })).uint8, 8, 4, 4);
    d.forEach((v, c) => expect(Math.abs(v - ([10, 120, 250][c] as number))).toBeLessThanOrEqual(1)); // 16 → 8 bit rounding
    // Alpha is dropped before resizing (PIL's convert("RGB")): stored colours survive, even where fully transparent.
    const rgba = new Uint8Array(20 * 10 * 4);
    for (let i = 0; i < 200; i++) rgba.set([200, 100, 50, i % 2 === 0 ? 0 : 128], i * 4);
    const a = await transformImage(await encode(rgba, 20, 10, "png", 4), { size: 8 });
    expect(pixelAt(a.uint8, 8, 4, 4)).toEqual([200, 100, 50]);
    expect(new Set(a.uint8)).toEqual(new Set([200, 100, 50]));
    const augmented = await transformImage(await encode(rgba, 20, 10, "png", 4), { size: 8, augment: { crop: { scale: [0.5, 0.5], ratio: [1, 1] }, brightness: null, contrast: null, saturation: null, hue: null } }, { seed: 1 });
    expect(new Set(augmented.uint8)).toEqual(new Set([200, 100, 50]));
    const webp = await encode(paint(20, 10, () => [10, 120, 250]), 20, 10, "webp");
    expect(pixelAt((await transformImage(webp, { size: 8 })).uint8, 8, 4, 4)).toEqual([10, 120, 250]);
  });

  it("upsamples a source smaller than the output", async () => {
    const out = await transformImage(await encode(paint(8, 8, () => GREEN), 8, 8, "png"), { size: 32 });
    expect(new Set(out.uint8)).toEqual(new Set(GREEN));
  });

  it("rejects bad specs with ConfigError naming the option", async () => {
    const bytes = await bordered("png");
    await expect(transformImage(bytes, {})).rejects.toThrow(/`width`/);
    await expect(transformImage(bytes, { size: 0 })).rejects.toThrow(ConfigError);
    await expect(transformImage(bytes, { size: 8, resize: "fit" as never })).rejects.toThrow(/`resize`.*"fit"/);
    await expect(transformImage(bytes, { size: 8, normalize: "imagenette" as never })).rejects.toThrow(/`normalize`/);
    await expect(transformImage(bytes, { size: 8, normalize: { mean: 0, std: 0 } })).rejects.toThrow(/std/);
    await expect(transformImage(bytes, { size: 8, centerScale: 1.5 })).rejects.toThrow(/centerScale/);
    await expect(transformImage(bytes, { size: 8, augment: "octo" })).rejects.toThrow(/options.seed/);
    await expect(transformImage(bytes, { size: 8, augment: { crop: { scale: [0.9, 0.5], ratio: [1, 1] } } })).rejects.toThrow(/augment.crop.scale/);
  });

  it("centerScale crops the centre fraction of the area at evaluation", async () => {
    const side = 200;
    const px = paint(side, side, (x, y) => [Math.round((x * 255) / (side - 1)), Math.round((y * 255) / (side - 1)), 128]);
    const out = await transformImage(await encode(px, side, side, "png"), { size: 100, centerScale: 0.64 });
    // The window is the centre 80% of each side: source x 20..180 → R about 26..229.
    const [r0, g0] = pixelAt(out.uint8, 100, 0, 0);
    const [r1, g1] = pixelAt(out.uint8, 100, 99, 99);
    for (const [v, want] of [[r0, 26.5], [g0, 26.5], [r1, 228.5], [g1, 228.5]] as const) expect(Math.abs(v - want)).toBeLessThanOrEqual(3);
  });
});
