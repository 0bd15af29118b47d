import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { shuffle } from "@cotrain/core";
import { openRlds, writeRlds } from "@cotrain/robot";
import type { Episode } from "@cotrain/robot";
import { floats, noisyJpeg, tmp } from "./fixtures.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
// Two full collections: the first frees Buffers whose backing stores the second releases.
const used = (): number => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

describe("memory while streaming", () => {
  it("stays flat over a dataset far larger than the shuffle buffer (240 episodes, 2,400 steps)", async () => {
    const images = await Promise.all(Array.from({ length: 24 }, (_, i) => noisyJpeg(i)));
    const steps = 10;
    function* episodes(): Generator<Episode> {
      for (let i = 0; i < 240; i++) {
        yield {
          source: "bridge", index: i, id: `ep${i}`, length: steps, actionDim: 7, stateDim: 7,
          cameras: [0, 1, 2, 3].map((c) => ({ name: `image_${c}`, frames: Array.from({ length: steps }, (_, t) => images[(i + c * 5 + t) % images.length]!) })),
          actions: floats(steps, 7, i), states: floats(steps, 7, i + 1000), instructions: new Array<string>(steps).fill(`task ${i}`),
        };
      }
    }
    const dir = tmp();
    const written = await writeRlds(dir, episodes(), { name: "bridge", preset: "bridge", episodesPerShard: 30 });
    expect(written.shardLengths).toEqual(new Array(8).fill(30));
    expect(written.bytes).toBeGreaterThan(30e6);

    const pipeline = shuffle(await openRlds(dir, { batchSize: 16, shuffleEpisodes: true, seed: 1 }), { bufferSize: 64, seed: 1, batchSize: 16 });
    const samples: number[] = [];
    let rows = 0;
    for (let b = await pipeline.next(); b !== null; b = await pipeline.next()) {
      rows += b.numRows;
      if (rows % 160 === 0) samples.push(used());
    }
    await pipeline.close?.();
    expect(rows).toBe(2400);
    const settled = samples.slice(2);
    const growth = Math.max(...settled) - Math.min(...settled);
    // One episode record is ~130 KB and a 64-row block ~1 MB; the dataset is over 30 MB.
    expect(growth).toBeLessThan(6e6);
    expect(growth).toBeLessThan(written.bytes / 6);
  });
});
