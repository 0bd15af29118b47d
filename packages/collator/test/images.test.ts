import { describe, expect, it } from "vitest";
import { ImageError, rowsToBatch } from "@cotrain/core";
import { transformImage } from "@cotrain/vision";
import { createByteTokenizer, createCollator } from "@cotrain/collator";
import type { Batch } from "@cotrain/collator";
import { robotRow, tinyJpeg, webRow } from "./fixtures.js";

/** Mean of channel c of row b over all pixels. */
function channelMean(batch: Batch, b: number, c: number): number {
  const [, h, w, ch] = batch.pixelShape;
  let sum = 0;
  for (let p = 0; p < h * w; p++) sum += batch.pixels[b * h * w * ch + p * ch + c] as number;
  return sum / (h * w);
}

const rowPixels = (batch: Batch, b: number): number[] => {
  const n = batch.pixels.length / batch.size;
  return Array.from(batch.pixels.subarray(b * n, (b + 1) * n));
};

describe("images through @cotrain/vision", async () => {
  const tokenizer = createByteTokenizer();
  const red = await tinyJpeg(250, 0, 0);
  const green = await tinyJpeg(0, 250, 0);

  it("stacks cameras along channels in the configured order, zero-filling and counting missing ones", async () => {
    const collate = createCollator({ tokenizer, actions: { type: "none" }, image: { size: 8, cameras: "stack", cameraOrder: ["primary", "wrist"] } });
    const rows = [
      robotRow("a", "go", [0], { images: [green, red], cameras: ["wrist", "primary"] }),
      robotRow("b", "go", [0], { images: [red], cameras: ["primary"] }),
      webRow("w", [["q", "a"]], { images: [green], cameras: [""] }),
      webRow("t", [["text only", "ok"]]),
    ];
    const batch = await collate(rowsToBatch(rows));
    expect(batch.pixelShape).toEqual([4, 8, 8, 6]);
    expect(channelMean(batch, 0, 0)).toBeGreaterThan(0.9); // slot 0 = primary = red
    expect(channelMean(batch, 0, 4)).toBeGreaterThan(0.9); // slot 1 = wrist = green
    expect(channelMean(batch, 0, 1)).toBeLessThan(0.1);
    expect(channelMean(batch, 1, 3) + channelMean(batch, 1, 4) + channelMean(batch, 1, 5)).toBe(0); // missing wrist
    expect(channelMean(batch, 2, 1)).toBeGreaterThan(0.9); // the web image fills slot 0
    expect(rowPixels(batch, 3).every((v) => v === 0)).toBe(true);
    expect(Array.from(batch.imageMask)).toEqual([1, 1, 1, 0, 1, 0, 0, 0]);
    expect(Array.from(batch.hasImage)).toEqual([1, 1, 1, 0]);
    const stats = collate.stats();
    expect(stats.missingCameras).toEqual({ wrist: 1 });
    expect(stats.rowsWithoutImage).toBe(1);
  });

  it("gives exactly vision's transform of the chosen camera at 224×224", async () => {
    const rows = rowsToBatch([robotRow("a", "go", [0], { images: [green, red], cameras: ["wrist", "primary"] })]);
    const spec = { normalize: "siglip" } as const;
    const named = await createCollator({ tokenizer, actions: { type: "none" }, image: { size: 224, cameras: "primary", transform: spec } })(rows);
    expect(named.pixelShape).toEqual([1, 224, 224, 3]);
    const direct = await transformImage(red, { ...spec, width: 224, height: 224 });
    const bytes = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(bytes(named.pixels).equals(bytes(direct.float32 as Float32Array))).toBe(true);
    const first = createCollator({ tokenizer, actions: { type: "none" }, image: { size: [6, 10] } });
    const batch = await first(rows);
    expect(batch.pixelShape).toEqual([1, 6, 10, 3]);
    expect(channelMean(batch, 0, 1)).toBeGreaterThan(0.9);
    expect(first.stats().unusedImages).toBe(1);
  });

  it("augments each sample with its own seed: stable per (seed, epoch, sample), new each epoch, off for eval", async () => {
    const image = { size: 12, seed: 5, transform: { augment: "octo" as const } };
    const collate = createCollator({ tokenizer, image });
    const rows = rowsToBatch([webRow("a", [["q", "a"]], { images: [red], cameras: [""] }), webRow("b", [["q", "a"]], { images: [red], cameras: [""] })]);
    const e0 = await collate(rows);
    expect(rowPixels(e0, 0)).not.toEqual(rowPixels(e0, 1)); // same image, different samples
    expect(Array.from((await collate(rows)).pixels)).toEqual(Array.from(e0.pixels));
    expect(Array.from((await createCollator({ tokenizer, image })(rows)).pixels)).toEqual(Array.from(e0.pixels));
    collate.setEpoch(1);
    expect(rowPixels(await collate(rows), 0)).not.toEqual(rowPixels(e0, 0));
    const evaluation = await createCollator({ tokenizer, image: { ...image, augment: false } })(rows);
    expect(rowPixels(evaluation, 0)).toEqual(rowPixels(evaluation, 1));
  });

  it("raises vision's ImageError naming the row for undecodable bytes", async () => {
    const collate = createCollator({ tokenizer, image: { size: 8 } });
    await expect(collate(rowsToBatch([webRow("ok", [["q", "a"]], { images: [red], cameras: [""] }), webRow("broken", [["q", "a"]], { images: [red.subarray(0, 40)], cameras: [""] })]))).rejects.toThrow(ImageError);
    await expect(collate(rowsToBatch([webRow("broken", [["q", "a"]], { images: [red.subarray(0, 40)], cameras: [""] })]))).rejects.toThrow(/row 0, id "broken", field "images"/);
    expect(() => createCollator({ tokenizer, image: { size: 8, transform: { normalize: null } } })).toThrow(/normalize/);
  });

  it("without the image option there are no pixels, but the text still marks the image", async () => {
    const batch = await createCollator({ tokenizer, template: "plain" })(rowsToBatch([webRow("a", [["q", "a"]], { images: [red], cameras: [""] })]));
    expect(batch.pixelShape).toEqual([1, 0, 0, 0]);
    expect(batch.pixels.length).toBe(0);
    expect(Array.from(batch.imageMask)).toEqual([1]);
    expect(Array.from(batch.inputIds)).toContain(tokenizer.imageId);
  });
});
