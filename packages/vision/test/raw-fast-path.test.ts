import { describe, expect, it, vi } from "vitest";
import { decodeImage, encodeRawImage, transformImage, transformImages } from "@cotrain/vision";
import { encode } from "./fixtures.js";
import { photoLikePixels } from "../bench/photo.mjs";

// Every call into sharp is counted, so a test can show that raw pixels never reach it.
const sharpCalls = vi.hoisted(() => ({ count: 0 }));
vi.mock("sharp", async (importOriginal) => {
  const real = (await importOriginal<{ default: (...args: unknown[]) => unknown }>()).default;
  const counted = new Proxy(real, {
    apply(target, self, args) {
      sharpCalls.count++;
      return Reflect.apply(target, self, args) as unknown;
    },
  });
  return { default: counted };
});

async function images(count: number, width: number, height: number): Promise<{ raw: Uint8Array[]; png: Uint8Array[] }> {
  const pixels = Array.from({ length: count }, (_, s) => photoLikePixels(width, height, s + 1));
  return { raw: pixels.map((p) => encodeRawImage(p, width, height)), png: await Promise.all(pixels.map((p) => encode(p, width, height, "png"))) };
}

describe("raw images in transformImage(s)", () => {
  it("copies raw pixels of the output size without calling sharp, equal to the PNG path", async () => {
    const { raw, png } = await images(6, 32, 24);
    const spec = { size: [24, 32] as const, normalize: "siglip" as const };
    const online = await transformImages(png, spec);
    const before = sharpCalls.count;
    const fast = await transformImages(raw, spec);
    expect(sharpCalls.count).toBe(before); // no decode, no resize
    expect(Array.from(fast.ok)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(fast.float32).toEqual(online.float32);
    const one = await transformImage(raw[0] as Uint8Array, { size: [24, 32], normalize: null });
    expect(one.uint8.buffer).toBe((raw[0] as Uint8Array).buffer); // a view of the input
    expect(sharpCalls.count).toBe(before);
  });

  it("equals a JPEG's own pixels: raw holds what the decoder gave", async () => {
    const jpeg = await encode(photoLikePixels(40, 40, 3), 40, 40, "jpeg");
    const decoded = await decodeImage(jpeg);
    const raw = encodeRawImage(decoded.data, 40, 40);
    const spec = { size: 40 };
    expect((await transformImages([raw], spec)).float32).toEqual((await transformImages([jpeg], spec)).float32);
  });

  it("jitters a copy when augmenting colour only, leaving the caller's bytes alone", async () => {
    const { raw, png } = await images(4, 32, 32);
    const kept = raw.map((b) => b.slice());
    const spec = { size: 32, augment: "color" as const };
    const before = sharpCalls.count;
    const fast = await transformImages(raw, spec, { seed: 5 });
    expect(sharpCalls.count).toBe(before);
    expect(fast.float32).toEqual((await transformImages(png, spec, { seed: 5 })).float32);
    expect(raw).toEqual(kept);
  });

  it.each([
    ["another size", { size: 20 }],
    ["squash to another aspect", { size: [16, 30] as const, resize: "squash" as const }],
    ["a centre crop", { size: 32, centerScale: 0.8 }],
    ["random crops", { size: 32, augment: "octo" as const }],
  ])("resamples raw pixels through sharp for %s, equal to the PNG path", async (_, spec) => {
    const { raw, png } = await images(3, 48, 32);
    const before = sharpCalls.count;
    const fromRaw = await transformImages(raw, spec, { seed: 9 });
    expect(sharpCalls.count).toBeGreaterThan(before);
    expect(fromRaw.float32).toEqual((await transformImages(png, spec, { seed: 9 })).float32);
  });

  it("transforms thousands of raw images per second", async () => {
    const { raw } = await images(1, 64, 64);
    const batch = new Array<Uint8Array>(512).fill(raw[0] as Uint8Array);
    const started = performance.now();
    await transformImages(batch, { size: 64 });
    const perSecond = 512 / ((performance.now() - started) / 1000);
    expect(perSecond).toBeGreaterThan(2000);
  });
});
