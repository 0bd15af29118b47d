import { describe, expect, it } from "vitest";
import { rowsToBatch } from "@cotrain/core";
import { decodeImage } from "@cotrain/vision";
import { createByteTokenizer, createCollator } from "@cotrain/collator";
import type { Batch, ImageTransformFn } from "@cotrain/collator";
import { robotRow, tinyJpeg, webRow } from "./fixtures.js";

/** A stand-in transform (decode + nearest resize to 8×8) that records the seeds it was given. */
function recordingTransform(seen: number[]): ImageTransformFn {
  return async (bytes, seed, where) => {
    seen.push(seed);
    const img = await decodeImage(bytes, where);
    const data = new Float32Array(8 * 8 * 3);
    for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) {
      const src = (Math.floor((y * img.height) / 8) * img.width + Math.floor((x * img.width) / 8)) * 3;
      for (let c = 0; c < 3; c++) data[(y * 8 + x) * 3 + c] = (img.data[src + c] as number) / 255;
    }
    return { data, width: 8, height: 8 };
  };
}

/** Mean of channel c of row b over all pixels. */
function channelMean(batch: Batch, b: number, c: number): number {
  const [, h, w, ch] = batch.pixelShape;
  let sum = 0;
  for (let p = 0; p < h * w; p++) sum += batch.pixels[b * h * w * ch + p * ch + c] as number;
  return sum / (h * w);
}

describe("images", async () => {
  const tokenizer = createByteTokenizer();
  const red = await tinyJpeg(250, 0, 0);
  const green = await tinyJpeg(0, 250, 0);

  it("stacks cameras along channels in the configured order, zero-filling and counting missing ones", async () => {
    const collate = createCollator({ tokenizer, image: { size: 8, cameras: "stack", cameraOrder: ["primary", "wrist"] }, imageTransform: recordingTransform([]) });
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
    expect(batch.pixels.subarray(3 * 8 * 8 * 6).every((v) => v === 0)).toBe(true);
    expect(Array.from(batch.imageMask)).toEqual([1, 1, 1, 0, 1, 0, 0, 0]);
    expect(Array.from(batch.hasImage)).toEqual([1, 1, 1, 0]);
    const stats = collate.stats();
    expect(stats.missingCameras).toEqual({ wrist: 1 });
    expect(stats.rowsWithoutImage).toBe(1);
  });

  it("picks one named camera, or the first image", async () => {
    const rows = rowsToBatch([robotRow("a", "go", [0], { images: [green, red], cameras: ["wrist", "primary"] })]);
    const named = await createCollator({ tokenizer, image: { size: 8, cameras: "primary" }, imageTransform: recordingTransform([]) })(rows);
    expect(named.pixelShape).toEqual([1, 8, 8, 3]);
    expect(channelMean(named, 0, 0)).toBeGreaterThan(0.9);
    const first = createCollator({ tokenizer, image: { size: 8 }, imageTransform: recordingTransform([]) });
    expect(channelMean(await first(rows), 0, 1)).toBeGreaterThan(0.9);
    expect(first.stats().unusedImages).toBe(1);
  });

  it("gives each sample its own augmentation seed, stable per (seed, epoch, sample)", async () => {
    const seen: number[] = [];
    const collate = createCollator({ tokenizer, image: { size: 8, seed: 5 }, imageTransform: recordingTransform(seen) });
    const rows = rowsToBatch([webRow("a", [["q", "a"]], { images: [red], cameras: [""] }), webRow("b", [["q", "a"]], { images: [red], cameras: [""] })]);
    await collate(rows);
    await collate(rows);
    collate.setEpoch(1);
    await collate(rows);
    const [a0, b0, a0again, b0again, a1, b1] = seen.length === 6 ? seen : [];
    expect(new Set([a0, b0, a1, b1]).size).toBe(4);
    expect([a0again, b0again].sort()).toEqual([a0, b0].sort());
  });

  it("without the image option there are no pixels, but the text still marks the image", async () => {
    const batch = await createCollator({ tokenizer, template: "plain" })(rowsToBatch([webRow("a", [["q", "a"]], { images: [red], cameras: [""] })]));
    expect(batch.pixelShape).toEqual([1, 0, 0, 0]);
    expect(batch.pixels.length).toBe(0);
    expect(Array.from(batch.imageMask)).toEqual([1]);
    expect(Array.from(batch.inputIds)).toContain(tokenizer.imageId);
  });
});
