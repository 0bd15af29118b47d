import { describe, expect, it } from "vitest";
import { normalizeInto, resolveNormalize } from "@cotrain/vision";

describe("normalizeInto", () => {
  it("writes (v / 255 - mean) / std per channel for any pixel count, at any offset, and nothing else", () => {
    const { lut, mean, std } = resolveNormalize("imagenet");
    for (const pixelsCount of [1, 3, 4, 5, 9, 50]) {
      const pixels = Uint8Array.from({ length: pixelsCount * 3 }, (_, i) => (i * 37 + 11) & 255);
      const offset = 7;
      const out = new Float32Array(offset + pixels.length + 5).fill(42);
      normalizeInto(pixels, lut, out, offset);
      const expected = Array.from(pixels, (v, i) => Math.fround((v / 255 - (mean[i % 3] as number)) / (std[i % 3] as number)));
      expect(Array.from(out.subarray(offset, offset + pixels.length))).toEqual(expected);
      expect(Array.from(out.subarray(0, offset)).every((v) => v === 42)).toBe(true);
      expect(Array.from(out.subarray(offset + pixels.length)).every((v) => v === 42)).toBe(true);
    }
  });
});
