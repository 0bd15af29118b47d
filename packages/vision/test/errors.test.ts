import { describe, expect, it } from "vitest";
import { ImageError } from "@cotrain/core";
import { decodeImage, probeImage, transformImage, transformImages } from "@cotrain/vision";
import { encode } from "./fixtures.js";
import { photoLikePixels } from "../bench/photo.mjs";

const where = { file: "coco/train2017/0001.jpg", row: 12, id: "0001", field: "image" };

async function images(): Promise<{ jpeg: Uint8Array; progressive: Uint8Array; png: Uint8Array }> {
  const px = photoLikePixels(160, 120, 9);
  const jpeg = await encode(px, 160, 120, "jpeg");
  const png = await encode(px, 160, 120, "png");
  const sharp = (await import("sharp")).default;
  const progressive = new Uint8Array(await sharp(Buffer.from(px), { raw: { width: 160, height: 120, channels: 3 } }).jpeg({ progressive: true }).toBuffer());
  return { jpeg, progressive, png };
}

function flipped(bytes: Uint8Array, at: number, count: number): Uint8Array {
  const out = bytes.slice();
  for (let i = at; i < at + count; i++) out[i] = (out[i] as number) ^ 0x5a;
  return out;
}

async function expectImageError(run: Promise<unknown>, pattern: RegExp): Promise<ImageError> {
  const error = await run.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ImageError);
  const e = error as ImageError;
  expect(e.message).toMatch(pattern);
  return e;
}

describe("undecodable images", () => {
  it("truncated JPEG (baseline and progressive) and PNG raise ImageError naming where", async () => {
    const { jpeg, progressive, png } = await images();
    const cases = [jpeg.subarray(0, jpeg.length >> 1), jpeg.subarray(0, jpeg.length - 2), progressive.subarray(0, (progressive.length * 0.7) | 0), png.subarray(0, png.length >> 1)];
    for (const bytes of cases) {
      for (const spec of [{ size: 32 }, { size: 32, augment: "octo" as const }, { size: 32, resize: "squash" as const }]) {
        const e = await expectImageError(transformImage(bytes, spec, { seed: 1, where }), /premature end|read error|truncat/i);
        expect(e.code).toBe("IMAGE_UNDECODABLE");
        expect(e.location()).toEqual(where);
        expect(e.message).toContain("coco/train2017/0001.jpg");
      }
      await expectImageError(decodeImage(bytes, where), /./);
      await expectImageError(probeImage(bytes, where), /./);
    }
  });

  it("corrupt headers and corrupt PNG data raise ImageError", async () => {
    const { jpeg, png } = await images();
    await expectImageError(transformImage(flipped(png, png.length >> 1, 16), { size: 32 }, { where }), /png/i); // zlib / CRC
    await expectImageError(transformImage(flipped(png, 12, 8), { size: 32 }, { where }), /header|png/i); // IHDR
    await expectImageError(transformImage(flipped(jpeg, 0, 4), { size: 32 }, { where }), /unsupported image format/);
    await expectImageError(transformImage(new TextEncoder().encode("<html>404</html>"), { size: 32 }, { where }), /unsupported/);
    const empty = await expectImageError(transformImage(new Uint8Array(0), { size: 32 }, { where }), /zero bytes/);
    expect(empty.code).toBe("IMAGE_EMPTY");
  });

  it("in a batch, the lowest failing index raises; onError 'skip' zeroes its slot and reports it", async () => {
    const { jpeg, png } = await images();
    const bad = jpeg.subarray(0, 300);
    const list = [jpeg, png, bad, jpeg, bad.subarray(0, 100), png];
    const raised = await expectImageError(transformImages(list, { size: 16 }, { inFlight: 3 }), /premature end/);
    expect(raised.row).toBe(2);
    const result = await transformImages(list, { size: 16 }, { onError: "skip", out: new Float32Array(6 * 16 * 16 * 3).fill(9) });
    expect(Array.from(result.ok)).toEqual([1, 1, 0, 1, 0, 1]);
    expect(result.errors.map((e) => [e.index, e.error.row])).toEqual([[2, 2], [4, 4]]);
    const slot = 16 * 16 * 3;
    expect(result.float32.subarray(2 * slot, 3 * slot).every((v) => v === 0)).toBe(true);
    expect(result.float32.subarray(3 * slot, 4 * slot).some((v) => v !== 0)).toBe(true);
  });
});
