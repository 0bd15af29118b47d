// A PNG whose critical chunk fails its CRC is an error, not another image (found by the fuzzer, test/fuzz target
// "vision": libpng only warns about a bad IHDR CRC, and sharp's "truncated" strictness decoded a 16×16 PNG whose
// height byte was changed as a 16×5 image).
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ImageError } from "@cotrain/core";
import { decodeImage, transformImage } from "@cotrain/vision";

describe("PNG chunk CRCs", () => {
  it("a changed IHDR (its CRC now wrong) raises ImageError naming where, in decode and transform", async () => {
    const png = new Uint8Array(await sharp({ create: { width: 16, height: 16, channels: 3, background: "#336699" } }).png().toBuffer());
    expect((await decodeImage(png)).height).toBe(16);
    const bad = Uint8Array.from(png);
    bad[23] = 5; // the low byte of the IHDR height
    const where = { file: "a.parquet", row: 7, field: "image" };
    await expect(decodeImage(bad, where)).rejects.toMatchObject({ code: "IMAGE_UNDECODABLE", ...where });
    await expect(transformImage(bad, { size: 8 }, { where })).rejects.toBeInstanceOf(ImageError);
  });
});
