import { rmSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchToRows, collect, concatBatches, openShards, readManifests } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import { createCollator } from "@cotrain/collator";
import { openLlava } from "@cotrain/vqa";
import type { VqaEntry } from "@cotrain/vqa";
import { readRawImage } from "@cotrain/vision";
import { convertDataset } from "@cotrain/cli";
import { cli, tempDir, writeLlavaFixture } from "./fixtures.js";

/** A textured image (gradients plus a hashed pattern), so resampling and kernels show in the pixels. */
async function picture(width: number, height: number, seed: number, format: "png" | "jpeg"): Promise<Uint8Array> {
  const px = new Uint8Array(width * height * 3).map((_, i) => {
    const p = Math.floor(i / 3);
    const [x, y, c] = [p % width, Math.floor(p / width), i % 3];
    return (x * (3 + c) * 4 + y * 5 + ((x * 31 + y * 17 + seed * 13) % 23) * 3 + seed * 40) % 256;
  });
  const image = sharp(px, { raw: { width, height, channels: 3 } });
  return new Uint8Array(await (format === "png" ? image.png() : image.jpeg({ quality: 90 })).toBuffer());
}

async function entries(): Promise<VqaEntry[]> {
  const sizes: [number, number, "png" | "jpeg"][] = [[48, 40, "png"], [64, 48, "jpeg"], [30, 50, "png"], [100, 75, "jpeg"], [32, 32, "png"]];
  const images = await Promise.all(sizes.map(([w, h, f], s) => picture(w, h, s, f)));
  return Array.from({ length: 9 }, (_, i) => ({
    id: `v${i}`,
    images: i === 7 ? [] : [{ path: `img/${i % 5}.${sizes[i % 5]![2] === "png" ? "png" : "jpg"}`, bytes: images[i % 5] as Uint8Array }],
    conversations: [
      { from: "human", value: `${i === 7 ? "" : "<image>\n"}What is in picture ${i}?` },
      { from: "gpt", value: `texture ${i % 5}` },
    ],
  }));
}

const collatorOptions = { tokenizer: "byte", template: "llava_v1", image: { size: 32 } } as const;
const allOf = async (source: Source) => concatBatches(await collect(source));

describe("cotrain convert --image-size", () => {
  const root = tempDir("cotrain-cli-images-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let json = "";
  beforeAll(async () => {
    json = await writeLlavaFixture(root, await entries());
  });

  it("writes raw 32x32 pixels that collate byte-identical to the online path", async () => {
    const out = join(root, "raw");
    const run = await cli("convert", json, "--out", out, "--image-size", "32", "--image-format", "raw");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("images 32x32 raw (crop, lanczos3)");
    const manifest = (await readManifests(out))[0]!.manifest;
    expect(manifest.meta).toEqual({ images: { size: [32, 32], resize: "crop", kernel: "lanczos3", format: "raw", quality: null, shrinkOnLoad: false } });
    expect(manifest.pipeline).toContain("-> preprocessImages(32x32 crop lanczos3 raw)");

    const stored = await allOf(openShards(out));
    for (const row of batchToRows(stored)) for (const image of row.images) expect([readRawImage(image).width, readRawImage(image).height]).toEqual([32, 32]);
    const online = await createCollator(collatorOptions)(await allOf(openLlava(json)));
    const fromShards = await createCollator(collatorOptions)(stored);
    expect(fromShards.pixels.length).toBe(9 * 32 * 32 * 3);
    expect(fromShards.pixels).toEqual(online.pixels);
    expect(fromShards.imageMask).toEqual(online.imageMask);
    expect(fromShards.inputIds).toEqual(online.inputIds);
  });

  it.runIf(process.platform === "linux")("--shrink-on-load stores the pixels the online path computes with shrinkOnLoad, and records it", async () => {
    const out = join(root, "raw-shrunk");
    const run = await cli("convert", json, "--out", out, "--image-size", "32", "--image-format", "raw", "--shrink-on-load");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("images 32x32 raw (crop, lanczos3, shrink-on-load)");
    expect((await readManifests(out))[0]!.manifest.meta).toEqual({ images: { size: [32, 32], resize: "crop", kernel: "lanczos3", format: "raw", quality: null, shrinkOnLoad: true } });
    const shrinking = { ...collatorOptions, image: { size: 32, transform: { shrinkOnLoad: true } } };
    const fromShards = await createCollator(shrinking)(await allOf(openShards(out)));
    expect(fromShards.pixels).toEqual((await createCollator(shrinking)(await allOf(openLlava(json)))).pixels);
    // The 100×75 JPEG decodes at 50×38 for a 32 output: its rows differ from the full decode's, the others do not.
    const exact = await createCollator(collatorOptions)(await allOf(openShards(join(root, "raw"))));
    const differs = Array.from({ length: 9 }, (_, i) => fromShards.pixels.subarray(i * 3072, (i + 1) * 3072).some((v, k) => v !== exact.pixels[i * 3072 + k]));
    expect(differs).toEqual(Array.from({ length: 9 }, (_, i) => i !== 7 && i % 5 === 3));
  });

  it("shows what was done to the images in `cotrain inspect`", async () => {
    const run = await cli("inspect", join(root, "raw"), "--json", "-n", "1");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { details: Record<string, string>; samples: { images: { format: string; width: number; height: number }[] }[] };
    expect(JSON.parse(report.details.images as string)).toEqual({ size: [32, 32], resize: "crop", kernel: "lanczos3", format: "raw", quality: null, shrinkOnLoad: false });
    expect(report.samples[0]!.images[0]).toMatchObject({ format: "raw", width: 32, height: 32 });
    const text = await cli("inspect", join(root, "raw"), "-n", "0");
    expect(text.stdout).toMatch(/images:\s+\{"size":\[32,32\]/);
  });

  it("writes JPEGs of the asked size and quality, through the exported convertDataset too", async () => {
    const out = join(root, "jpeg");
    const run = await cli("convert", json, "-o", out, "--image-size", "24x40", "--image-format", "jpeg", "--quality", "80", "--image-resize", "squash", "--image-kernel", "linear");
    expect(run.code).toBe(0);
    const manifest = (await readManifests(out))[0]!.manifest;
    expect(manifest.meta?.images).toEqual({ size: [24, 40], resize: "squash", kernel: "linear", format: "jpeg", quality: 80, shrinkOnLoad: false });
    const rows = batchToRows(await allOf(openShards(out)));
    expect(rows.map((r) => r.sample_id)).toEqual(Array.from({ length: 9 }, (_, i) => `v${i}`));
    for (const row of rows) {
      for (const image of row.images) {
        const meta = await sharp(image).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 40, 24]);
      }
    }
    const batch = await createCollator({ ...collatorOptions, image: { size: [24, 40] } })(await allOf(openShards(out)));
    expect(batch.pixels.length).toBe(9 * 24 * 40 * 3);

    const direct = join(root, "direct");
    const { manifest: again } = await convertDataset({ path: json }, direct, { images: { size: 16 } });
    expect(again.meta?.images).toEqual({ size: [16, 16], resize: "crop", kernel: "lanczos3", format: "jpeg", quality: 95, shrinkOnLoad: false });
  });

  it("rejects image flags without --image-size and bad combinations, naming the flag", async () => {
    const out = join(root, "bad");
    const stray = await cli("convert", json, "-o", out, "--image-format", "raw");
    expect(stray.code).toBe(1);
    expect(stray.stderr).toContain("--image-format need(s) --image-size");
    const shrink = await cli("convert", json, "-o", out, "--shrink-on-load");
    expect(shrink.code).toBe(1);
    expect(shrink.stderr).toContain("--shrink-on-load need(s) --image-size");
    const png = await cli("convert", json, "-o", out, "--image-size", "32", "--image-format", "png", "--quality", "80");
    expect(png.code).toBe(1);
    expect(png.stderr).toContain('--quality: `quality` applies to format "jpeg" only');
    const kernel = await cli("convert", json, "-o", out, "--image-size", "32", "--image-kernel", "bicubic");
    expect(kernel.code).toBe(1);
    expect(kernel.stderr).toContain("--image-kernel: `kernel` must be one of");
    const size = await cli("convert", json, "-o", out, "--image-size", "32x");
    expect(size.code).toBe(1);
    expect(size.stderr).toContain('expected a side or HxW in pixels (e.g. "224" or "224x320"), got "32x"');
  });
});
