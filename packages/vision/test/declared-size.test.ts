// An image whose header declares more pixels than its bytes can hold is refused before sharp allocates for it
// (found by the fuzzer, test/fuzz target "vision": a 400-byte PNG declaring 16383×16383 cost 650 MB).
import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ImageError } from "@cotrain/core";
import { decodeImage, transformImage } from "@cotrain/vision";

const vmPeak = (): number => Number(/VmPeak:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1]) * 1024;

async function errorOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

/** A PNG's IHDR set to `width`×`height`, its CRC recomputed (so only the size is wrong). */
function pngDeclaring(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = Uint8Array.from(png);
  const view = new DataView(out.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  view.setUint32(29, crc32(out.subarray(12, 29)) >>> 0);
  return out;
}

/** A JPEG's SOF0 set to `width`×`height`. */
function jpegDeclaring(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const out = Uint8Array.from(jpeg);
  for (let at = 2; at < out.length; at += 2 + ((out[at + 2]! << 8) | out[at + 3]!)) {
    if (out[at + 1] === 0xc0) {
      new DataView(out.buffer).setUint16(at + 5, height);
      new DataView(out.buffer).setUint16(at + 7, width);
      return out;
    }
  }
  throw new Error("no SOF0");
}

const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: "#000000" } });

describe("declared image size against the bytes", () => {
  it("refuses a small PNG or JPEG declaring a huge size with IMAGE_SIZE_IMPOSSIBLE, before any large allocation", async () => {
    const png = new Uint8Array(await solid(16, 16).png().toBuffer());
    const jpeg = new Uint8Array(await solid(16, 16).jpeg().toBuffer());
    const where = { file: "x.png", row: 3, field: "image" };
    const before = vmPeak();
    for (const bytes of [pngDeclaring(png, 16_383, 16_383), jpegDeclaring(jpeg, 16_000, 16_000)]) {
      for (const run of [() => decodeImage(bytes, where), () => transformImage(bytes, { size: 8 }, { where })]) {
        const err = await errorOf(run);
        expect(err).toBeInstanceOf(ImageError);
        expect(err).toMatchObject({ code: "IMAGE_SIZE_IMPOSSIBLE", ...where });
      }
    }
    expect(vmPeak() - before).toBeLessThan(256 * 2 ** 20);
  });

  it("accepts real images at the formats' best compression: a 3000×3000 black PNG and JPEG", async () => {
    const png = new Uint8Array(await solid(3000, 3000).png({ compressionLevel: 9 }).toBuffer());
    const jpeg = new Uint8Array(await solid(3000, 3000).jpeg({ quality: 1 }).toBuffer());
    const progressive = new Uint8Array(await solid(3000, 3000).jpeg({ quality: 1, progressive: true }).toBuffer());
    // Far more pixels than bytes: the bounds are the formats' ceilings, not a guess.
    expect(png.length * 1000).toBeLessThan(3000 * 3000 * 3);
    for (const bytes of [png, jpeg, progressive]) {
      const small = await transformImage(bytes, { size: 8, normalize: null });
      expect(small.uint8.length).toBe(8 * 8 * 3);
    }
  });
});
