import { describe, expect, it } from "vitest";
import { ImageError } from "@cotrain/core";
import { checkImageHeader, decodeImage, encodeRawImage, imageKind, isRawImage, probeImage, readRawImage, validateImage, RAW_HEADER_BYTES } from "@cotrain/vision";
import { errorOf } from "@cotrain/test-utils";
import { encode, paint } from "./fixtures.js";

const where = { file: "shards/part-00000.arrow", row: 3, id: "q7", field: "images" };
const pixels = paint(5, 4, (x, y) => [x * 50, y * 60, 200]);

describe("raw images", () => {
  it("round-trips pixels through a 16-byte self-describing header", () => {
    const bytes = encodeRawImage(pixels, 5, 4);
    expect(bytes.length).toBe(RAW_HEADER_BYTES + 5 * 4 * 3);
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0x89, 0x43, 0x54, 0x52, 5, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0]);
    expect(isRawImage(bytes)).toBe(true);
    const raw = readRawImage(bytes);
    expect([raw.width, raw.height, raw.channels]).toEqual([5, 4, 3]);
    expect(raw.pixels).toEqual(pixels);
    expect(raw.pixels.buffer).toBe(bytes.buffer); // a view, not a copy
  });

  it("is recognized by the header check, probeImage and decodeImage without sharp", async () => {
    const bytes = encodeRawImage(pixels, 5, 4);
    expect(imageKind(bytes)).toBe("raw");
    expect(() => checkImageHeader(bytes, where)).not.toThrow();
    await expect(validateImage(bytes, "decode", where, [4, 5, 3])).resolves.toBeUndefined();
    expect(await probeImage(bytes)).toEqual({ width: 5, height: 4, channels: 3, format: "raw" });
    const decoded = await decodeImage(bytes);
    expect([decoded.width, decoded.height, decoded.channels]).toEqual([5, 4, 3]);
    expect(decoded.data).toEqual(pixels);
  });

  it("never mistakes an encoded image for raw", async () => {
    const png = await encode(pixels, 5, 4, "png");
    const jpeg = await encode(pixels, 5, 4, "jpeg");
    expect(isRawImage(png)).toBe(false);
    expect(isRawImage(jpeg)).toBe(false);
    expect(imageKind(png)).toBe("png");
  });

  it.each([
    ["IMAGE_RAW_TRUNCATED", (b: Uint8Array) => b.subarray(0, b.length - 1), /needs 76 bytes, got 75/],
    ["IMAGE_RAW_LENGTH", (b: Uint8Array) => Uint8Array.from([...b, 0]), /got 77 \(1 extra\)/],
    ["IMAGE_RAW_HEADER", (b: Uint8Array) => b.subarray(0, 10), /header cut off: 10 of 16/],
    ["IMAGE_RAW_CHANNELS", (b: Uint8Array) => patch(b, 12, 4), /4 channels/],
    ["IMAGE_RAW_HEADER", (b: Uint8Array) => patch(b, 14, 1), /reserved/],
    ["IMAGE_RAW_DIMENSIONS", (b: Uint8Array) => patch(b, 4, 0), /0×4/],
  ])("raises ImageError %s, naming where, for a bad header or length", async (code, damage, message) => {
    const bad = damage(encodeRawImage(pixels, 5, 4));
    const read = await errorOf(async () => readRawImage(bad, where));
    expect(read).toBeInstanceOf(ImageError);
    expect(read.code).toBe(code);
    expect(read.message).toMatch(message);
    expect(read.location()).toMatchObject(where);
    // The readers' default header check and the full check give the same precise error.
    expect(imageKind(bad)).toBeNull();
    expect((await errorOf(async () => checkImageHeader(bad, where))).code).toBe(code);
    expect((await errorOf(() => probeImage(bad, where))).code).toBe(code);
  });

  it("rejects bytes without the magic and pixel arrays of the wrong size", async () => {
    expect((await errorOf(async () => readRawImage(new Uint8Array(20), where))).code).toBe("IMAGE_RAW_MAGIC");
    expect(() => encodeRawImage(pixels, 4, 4)).toThrow(/4×4×3 = 48 bytes of pixels, got 60/);
    expect(() => encodeRawImage(pixels, 0, 20)).toThrow(RangeError);
  });
});

function patch(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const out = bytes.slice();
  out[at] = value;
  return out;
}
