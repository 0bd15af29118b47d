import { describe, expect, it } from "vitest";
import { ConfigError } from "@cotrain/core";
import sharp from "sharp";
import { configureDecoding, decodePlan, defaultDecodePlan, transformImage, transformImages } from "@cotrain/vision";
import { photoLikeJpeg } from "../bench/photo.mjs";

describe("transformImages", () => {
  it("fills one [B, H, W, 3] Float32Array, slot i equal to transformImage of image i keyed by i", async () => {
    const jpegs = await Promise.all([0, 1, 2, 3, 4].map((s) => photoLikeJpeg(120 + 20 * s, 100, s)));
    const spec = { size: [24, 32] as const, normalize: "siglip" as const, augment: "octo" as const };
    const out = new Float32Array(6 * 24 * 32 * 3);
    const list = [...jpegs, null];
    const result = await transformImages(list, spec, { seed: 11, out, inFlight: 2 });
    expect(result.float32).toBe(out);
    expect([result.count, result.height, result.width, result.channels]).toEqual([6, 24, 32, 3]);
    expect(Array.from(result.ok)).toEqual([1, 1, 1, 1, 1, 0]);
    const slot = 24 * 32 * 3;
    for (let i = 0; i < 5; i++) {
      const single = await transformImage(jpegs[i] as Uint8Array, spec, { seed: 11, key: i });
      expect(out.subarray(i * slot, (i + 1) * slot)).toEqual(single.float32);
    }
    expect(out.subarray(5 * slot).every((v) => v === 0)).toBe(true);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...out)).toBeLessThanOrEqual(1);
  });

  it("gives the same bytes whatever the number in flight, and uses each entry's own key", async () => {
    const jpegs = await Promise.all([0, 1, 2].map((s) => photoLikeJpeg(96, 96, s)));
    const items = jpegs.map((bytes, i) => ({ bytes, key: ["sample", i] as const }));
    const spec = { size: 32, augment: "openvla" as const };
    const one = await transformImages(items, spec, { seed: 4, inFlight: 1 });
    const many = await transformImages(items, spec, { seed: 4, inFlight: 8 });
    expect(many.float32).toEqual(one.float32);
    const single = await transformImage(jpegs[1] as Uint8Array, spec, { seed: 4, key: ["sample", 1] });
    expect(one.float32.subarray(32 * 32 * 3, 2 * 32 * 32 * 3)).toEqual(single.float32);
  });

  it("checks the output buffer and the normalization", async () => {
    const jpeg = await photoLikeJpeg(64, 64, 1);
    await expect(transformImages([jpeg], { size: 8 }, { out: new Float32Array(10) })).rejects.toThrow(/192 floats, got 10/);
    await expect(transformImages([jpeg], { size: 8, normalize: null })).rejects.toThrow(ConfigError);
  });

  it("plans sharp's threads and images in flight from the core count", () => {
    expect(defaultDecodePlan(2, 4)).toEqual({ vipsThreads: 1, inFlight: 4 });
    expect(defaultDecodePlan(16, 4)).toEqual({ vipsThreads: 4, inFlight: 8 });
    expect(defaultDecodePlan(16, 16)).toEqual({ vipsThreads: 1, inFlight: 32 });
    expect(defaultDecodePlan(1, 4)).toEqual({ vipsThreads: 1, inFlight: 2 });
    sharp.cache(true);
    const plan = configureDecoding({ inFlight: 3 });
    expect(plan.inFlight).toBe(3);
    // libvips's operation cache is off: a loader never repeats an operation on the same image
    expect(sharp.cache()).toMatchObject({ items: { max: 0 }, files: { max: 0 }, memory: { max: 0 } });
    expect(decodePlan()).toEqual(plan);
    expect(() => configureDecoding({ vipsThreads: 0 })).toThrow(RangeError);
    configureDecoding();
  });
});
