import { describe, expect, it } from "vitest";
import sharp from "sharp";
import { ConfigError, ImageError, batchToRows, collect, fromRows, rowsToBatch } from "@cotrain/core";
import type { CanonicalRow, RowInput } from "@cotrain/core";
import { decodeImage, preprocessImage, preprocessImages, readRawImage, resolvePreprocess, transformImage } from "@cotrain/vision";
import type { PreprocessOptions } from "@cotrain/vision";
import { errorOf, runResumeTest } from "@cotrain/test-utils";
import { encode } from "./fixtures.js";
import { photoLikeJpeg, photoLikePixels } from "../bench/photo.mjs";

describe("preprocessImage", () => {
  it.each([
    ["a large JPEG (shrink-on-load), crop", "jpeg", { size: 64 }],
    ["a JPEG, squash to [h, w]", "jpeg", { size: [40, 56] as const, resize: "squash" as const }],
    ["a PNG, linear kernel", "png", { size: [48, 32] as const, kernel: "linear" as const }],
    ["a PNG with alpha", "rgba", { size: 30 }],
  ])("stores exactly transformImage's pixels as raw and PNG: %s", async (_, kind, options) => {
    const bytes = kind === "jpeg" ? await photoLikeJpeg(640, 480, 2) : kind === "png" ? await encode(photoLikePixels(90, 70, 4), 90, 70, "png") : await rgba(50, 40);
    const online = await transformImage(bytes, { ...options, normalize: null });
    const raw = readRawImage(await preprocessImage(bytes, { ...options, format: "raw" }));
    expect([raw.height, raw.width]).toEqual([online.height, online.width]);
    expect(raw.pixels).toEqual(online.uint8);
    const png = await preprocessImage(bytes, { ...options, format: "png" });
    expect((await decodeImage(png)).data).toEqual(online.uint8);
    // Read back through the online path at the same size, the stored image gives the same bytes again.
    expect((await transformImage(png, { ...options, normalize: null })).uint8).toEqual(online.uint8);
  });

  it("writes JPEG of the target size at the quality asked (default 95)", async () => {
    const bytes = await photoLikeJpeg(320, 240, 1);
    const q95 = await preprocessImage(bytes, { size: [60, 80] });
    const q50 = await preprocessImage(bytes, { size: [60, 80], format: "jpeg", quality: 50 });
    const meta = await sharp(q95).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 80, 60]);
    expect(q50.length).toBeLessThan(q95.length);
  });

  it("resolves its options with the TransformSpec defaults and rejects bad ones", () => {
    expect(resolvePreprocess({ size: 224 })).toEqual({ size: [224, 224], resize: "crop", kernel: "lanczos3", format: "jpeg", quality: 95, shrinkOnLoad: false });
    expect(resolvePreprocess({ size: [32, 48], format: "raw", resize: "squash", kernel: "linear" })).toEqual({ size: [32, 48], resize: "squash", kernel: "linear", format: "raw", quality: null, shrinkOnLoad: false });
    expect(() => resolvePreprocess({ size: 32, format: "webp" as never })).toThrow(/`format` must be one of jpeg, png, raw, got "webp"/);
    expect(() => resolvePreprocess({ size: 32, format: "png", quality: 80 })).toThrow(/`quality` applies to format "jpeg" only/);
    expect(() => resolvePreprocess({ size: 32, quality: 0 })).toThrow(ConfigError);
    expect(() => resolvePreprocess({ size: 0 })).toThrow(/integer 1..16384/);
  });

  it("raises ImageError naming where for undecodable bytes", async () => {
    const error = await errorOf(() => preprocessImage(new Uint8Array([1, 2, 3, 4]), { size: 8 }, { id: "x1", field: "images" }));
    expect(error).toBeInstanceOf(ImageError);
    expect(error.id).toBe("x1");
  });
});

describe("preprocessImages", () => {
  const options: PreprocessOptions = { size: 24, format: "raw" };

  async function rows(count: number): Promise<RowInput[]> {
    const jpegs = await Promise.all([0, 1, 2].map((s) => photoLikeJpeg(64 + 8 * s, 48, s)));
    return Array.from({ length: count }, (_, i) => ({
      source: i % 2 === 0 ? "bridge" : "llava",
      kind: i % 2 === 0 ? ("robot" as const) : ("vqa" as const),
      sample_id: `s${i}`,
      images: i % 4 === 3 ? [] : i % 2 === 0 ? [jpegs[i % 3] as Uint8Array, jpegs[(i + 1) % 3] as Uint8Array] : [jpegs[i % 3] as Uint8Array],
      cameras: i % 4 === 3 ? [] : i % 2 === 0 ? ["wrist", "top"] : [""],
      messages: [{ role: "user" as const, content: `sample ${i}` }],
      ...(i % 2 === 0 ? { action: Float32Array.from([i, 0.5, -1]), state: Float32Array.from([1, 2]), episode_index: 0, step_index: i } : {}),
    }));
  }

  it("rewrites the images of every row, keeping every other column, the schema and the order", async () => {
    const input = await rows(11);
    const source = fromRows(input, { batchSize: 4 });
    const batches = await collect(preprocessImages(source, { ...options, inFlight: 3 }));
    expect(batches.map((b) => b.numRows)).toEqual([4, 4, 3]);
    const reference = batchToRows(rowsToBatch(input));
    expect(batches[0]!.schema.fields.map((f) => [f.name, String(f.type)])).toEqual(rowsToBatch(input).schema.fields.map((f) => [f.name, String(f.type)]));
    const out = batches.flatMap(batchToRows);
    const strip = (r: CanonicalRow): unknown => ({ ...r, images: r.images.length });
    expect(out.map(strip)).toEqual(reference.map(strip));
    for (const [i, row] of out.entries()) {
      const expected = await Promise.all((reference[i] as CanonicalRow).images.map((b) => preprocessImage(b, options)));
      expect(row.images).toEqual(expected);
      for (const image of row.images) expect(readRawImage(image).width).toBe(24);
    }
  });

  it("resumes with the inner source's state", async () => {
    const input = await rows(9);
    const report = await runResumeTest(() => preprocessImages(fromRows(input, { batchSize: 2 }), options));
    expect(report.total).toBe(5);
    const source = preprocessImages(fromRows(input, { batchSize: 2 }), { size: [16, 24], format: "jpeg", quality: 90 });
    expect(source.describe()).toBe("rows(9, batch=2) -> preprocessImages(16x24 crop lanczos3 jpeg q90)");
    await source.next();
    expect(source.state()).toEqual({ offset: 2 });
  });

  it("names the row, sample id and field of an undecodable image", async () => {
    const input = await rows(6);
    input[5] = { ...(input[5] as RowInput), images: [new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x01])], cameras: [""] };
    const source = preprocessImages(fromRows(input, { batchSize: 4 }), options);
    await source.next();
    const error = await errorOf(() => source.next());
    expect(error).toBeInstanceOf(ImageError);
    expect(error.location()).toMatchObject({ row: 1, id: "s5", field: "images" });
    expect(() => preprocessImages(fromRows(input), { ...options, inFlight: 0 })).toThrow(/inFlight/);
  });
});

async function rgba(width: number, height: number): Promise<Uint8Array> {
  const px = new Uint8Array(width * height * 4).map((_, i) => (i % 4 === 3 ? (i * 7) % 256 : (i * 13) % 256));
  return new Uint8Array(await sharp(px, { raw: { width, height, channels: 4 } }).png().toBuffer());
}
