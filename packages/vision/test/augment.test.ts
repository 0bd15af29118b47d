import { describe, expect, it } from "vitest";
import { Rng } from "@cotrain/core";
import { AUGMENT_PRESETS, applyColorJitter, drawAugment, resolveAugment, transformImage } from "@cotrain/vision";
import type { AugmentSpec } from "@cotrain/vision";
import { encode, meanAbsError, paint, pixelAt, positionCode } from "./fixtures.js";
import { photoLikeJpeg } from "../bench/photo.mjs";

/** A plain per-pixel version of tf.image's adjust_brightness/contrast/saturation/hue, to check the fast one. */
function jitterReference(px: Uint8Array, j: { brightness: number; contrast: number; saturation: number; hue: number }): Uint8Array {
  const clip = (x: number): number => Math.min(255, Math.max(0, x));
  const f = Array.from(px, (v) => clip(v + j.brightness * 255));
  const means = [0, 1, 2].map((c) => f.filter((_, i) => i % 3 === c).reduce((a, b) => a + b, 0) / (px.length / 3));
  const out = new Uint8Array(px.length);
  for (let i = 0; i < px.length; i += 3) {
    const [r, g, b] = [0, 1, 2].map((c) => clip(((f[i + c] as number) - (means[c] as number)) * j.contrast + (means[c] as number))) as [number, number, number];
    const v = Math.max(r, g, b);
    const chroma = v - Math.min(r, g, b);
    let h = chroma === 0 ? 0 : v === r ? (g - b) / chroma : v === g ? 2 + (b - r) / chroma : 4 + (r - g) / chroma;
    h = h / 6 + j.hue;
    h -= Math.floor(h);
    const s = v === 0 ? 0 : Math.min(1, (chroma / v) * j.saturation);
    const k = (n: number): number => (n + h * 6) % 6;
    const channel = (n: number): number => v - v * s * Math.max(0, Math.min(k(n), 4 - k(n), 1));
    out.set([channel(5), channel(3), channel(1)].map((x) => Math.round(x)), i);
  }
  return out;
}

const OFF: AugmentSpec = { crop: null, brightness: null, contrast: null, saturation: null, hue: null };

describe("augmentation", () => {
  it("same seed and key → the same bytes; another seed or key → other pixels", async () => {
    const jpeg = await photoLikeJpeg(320, 240, 5);
    const spec = { size: 96, augment: "octo" } as const;
    const a = await transformImage(jpeg, spec, { seed: 7, key: "ep3/step9" });
    const b = await transformImage(jpeg, { ...spec }, { seed: 7, key: "ep3/step9" });
    expect(Buffer.from(b.uint8).equals(Buffer.from(a.uint8))).toBe(true);
    expect(Buffer.from(new Uint8Array((b.float32 as Float32Array).buffer)).equals(Buffer.from(new Uint8Array((a.float32 as Float32Array).buffer)))).toBe(true);
    const otherSeed = await transformImage(jpeg, spec, { seed: 8, key: "ep3/step9" });
    const otherKey = await transformImage(jpeg, spec, { seed: 7, key: "ep3/step10" });
    expect(meanAbsError(otherSeed.uint8, a.uint8)).toBeGreaterThan(2);
    expect(meanAbsError(otherKey.uint8, a.uint8)).toBeGreaterThan(2);
    // A key list is the same as the Rng keys it names.
    const listed = await transformImage(jpeg, spec, { seed: 7, key: [3, "cam0"] });
    const again = await transformImage(jpeg, spec, { seed: 7, key: [3, "cam0"] });
    expect(Buffer.from(again.uint8).equals(Buffer.from(listed.uint8))).toBe(true);
  });

  it("augment: false and no augment give the same evaluation pixels", async () => {
    const jpeg = await photoLikeJpeg(200, 150, 6);
    const evalOut = await transformImage(jpeg, { size: 64, augment: "octo" }, { augment: false });
    const plain = await transformImage(jpeg, { size: 64 });
    expect(evalOut.uint8).toEqual(plain.uint8);
  });

  it("random resized crop: the window has the drawn area and stays inside the frame", async () => {
    // R = x, G = y tell where each output pixel came from in a 256×256 lossless source.
    const bytes = await encode(positionCode(256, 256), 256, 256, "png");
    const spec = { size: 64, augment: { ...OFF, crop: { scale: [0.25, 0.64], ratio: [0.75, 1.333] } } } as const;
    const spans: number[] = [];
    for (let seed = 0; seed < 12; seed++) {
      const out = (await transformImage(bytes, spec, { seed })).uint8;
      const [x0, y0] = pixelAt(out, 64, 0, 0);
      const [x1, y1] = pixelAt(out, 64, 63, 63);
      // Pixel centres sit half an output pixel inside the window: widen by one output pixel's worth.
      const w = ((x1 - x0) * 64) / 63;
      const h = ((y1 - y0) * 64) / 63;
      const area = (w * h) / (256 * 256);
      expect(area).toBeGreaterThan(0.25 - 0.03);
      expect(area).toBeLessThan(0.64 + 0.03);
      expect(w / h).toBeGreaterThan(0.75 - 0.05);
      expect(w / h).toBeLessThan(1.333 + 0.05);
      expect(Math.min(x0, y0)).toBeGreaterThanOrEqual(0);
      expect(Math.max(x1, y1)).toBeLessThanOrEqual(255);
      spans.push(x0);
    }
    expect(new Set(spans).size).toBeGreaterThan(6); // the windows move
  });

  it("the OpenVLA crop keeps 0.9 of the area at a square ratio", async () => {
    const bytes = await encode(positionCode(256, 256), 256, 256, "png");
    const out = (await transformImage(bytes, { size: 64, augment: { preset: "openvla", brightness: null, contrast: null, saturation: null, hue: null } }, { seed: 1 })).uint8;
    const [x0, y0] = pixelAt(out, 64, 0, 0);
    const [x1, y1] = pixelAt(out, 64, 63, 63);
    expect(Math.abs(((x1 - x0) * 64) / 63 - 256 * Math.sqrt(0.9))).toBeLessThan(4);
    expect(Math.abs(((y1 - y0) * 64) / 63 - 256 * Math.sqrt(0.9))).toBeLessThan(4);
  });

  it("brightness shifts by at most the range, in both directions", async () => {
    const bytes = await encode(paint(32, 32, () => [128, 128, 128]), 32, 32, "png");
    const shifts: number[] = [];
    for (let seed = 0; seed < 30; seed++) {
      const out = await transformImage(bytes, { size: 16, augment: { ...OFF, brightness: 0.1 } }, { seed });
      expect(new Set(out.uint8).size).toBe(1); // uniform stays uniform
      shifts.push((out.uint8[0] as number) - 128);
    }
    expect(Math.max(...shifts.map(Math.abs))).toBeLessThanOrEqual(Math.round(0.1 * 255));
    expect(Math.min(...shifts)).toBeLessThan(-10);
    expect(Math.max(...shifts)).toBeGreaterThan(10);
  });

  it("contrast scales the distance from the channel mean by the drawn factor", () => {
    const px = paint(4, 4, (x) => (x < 2 ? [100, 100, 100] : [200, 200, 200]));
    applyColorJitter(px, { brightness: 0, contrast: 0.5, saturation: 1, hue: 0 });
    expect(new Set(px)).toEqual(new Set([125, 175]));
  });

  it("saturation 0 gives grey; hue moves colours around the wheel, keeping value and chroma", () => {
    const px = paint(3, 1, (x) => ([[200, 50, 50], [40, 180, 90], [70, 60, 210]] as const)[x] as [number, number, number]);
    const grey = px.slice();
    applyColorJitter(grey, { brightness: 0, contrast: 1, saturation: 0, hue: 0 });
    expect(Array.from(grey)).toEqual([200, 200, 200, 180, 180, 180, 210, 210, 210]); // HSV value kept
    const turned = px.slice();
    applyColorJitter(turned, { brightness: 0, contrast: 1, saturation: 1, hue: 1 / 3 });
    expect(Array.from(turned.subarray(0, 3))).toEqual([50, 200, 50]); // red → green
    for (let p = 0; p < 3; p++) {
      const before = Array.from(px.subarray(p * 3, p * 3 + 3));
      const after = Array.from(turned.subarray(p * 3, p * 3 + 3));
      expect(Math.max(...after)).toBe(Math.max(...before));
      expect(Math.abs(Math.min(...after) - Math.min(...before))).toBeLessThanOrEqual(1);
    }
  });

  it("the fast colour jitter equals a plain per-pixel implementation of TF's semantics", async () => {
    const { photoLikePixels } = await import("../bench/photo.mjs");
    const px = photoLikePixels(48, 32, 2);
    const aug = resolveAugment({ ...OFF, brightness: 0.3, contrast: [0.6, 1.4], saturation: [0.3, 1.7], hue: 0.5 });
    for (let i = 0; i < 8; i++) {
      const draw = drawAugment(aug, Rng.from(9, i));
      const fast = px.slice();
      applyColorJitter(fast, draw);
      const slow = jitterReference(px, draw);
      // The means are summed in another order (histogram vs pixels): allow a rare ±1 from a rounding tie.
      let off = 0;
      fast.forEach((v, k) => {
        const d = Math.abs(v - (slow[k] as number));
        expect(d).toBeLessThanOrEqual(1);
        off += d;
      });
      expect(off).toBeLessThan(fast.length / 1000);
    }
  });

  it("draws every parameter inside its range, and turning one off leaves the others' draws alone", () => {
    const aug = resolveAugment("octo");
    const noHue = resolveAugment({ hue: null });
    for (let i = 0; i < 500; i++) {
      const d = drawAugment(aug, Rng.from(3, i));
      expect(Math.abs(d.brightness)).toBeLessThanOrEqual(0.2);
      expect(d.contrast).toBeGreaterThanOrEqual(0.8);
      expect(d.contrast).toBeLessThanOrEqual(1.2);
      expect(d.saturation).toBeGreaterThanOrEqual(0.8);
      expect(d.saturation).toBeLessThanOrEqual(1.2);
      expect(Math.abs(d.hue)).toBeLessThanOrEqual(0.1);
      const c = d.crop as { x: number; y: number; w: number; h: number };
      expect(c.w * c.h).toBeGreaterThanOrEqual(0.8 - 1e-9);
      expect(c.w * c.h).toBeLessThanOrEqual(1 + 1e-9);
      expect(c.x + c.w).toBeLessThanOrEqual(1 + 1e-12);
      expect(c.y + c.h).toBeLessThanOrEqual(1 + 1e-12);
      const e = drawAugment(noHue, Rng.from(3, i));
      expect(e.hue).toBe(0);
      expect({ ...e, hue: d.hue }).toEqual(d);
    }
    expect(AUGMENT_PRESETS.openvla.crop.scale).toEqual([0.9, 0.9]);
  });
});
