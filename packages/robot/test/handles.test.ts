import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { collect } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import { checkHandles, openFdCount } from "@cotrain/test-utils";
import { openLeRobot, openRlds, writeLeRobot, writeRlds } from "@cotrain/robot";
import { bridgeEpisode as rldsEpisode, tmp } from "./rlds/fixtures.js";
import { bridgeEpisode as lerobotEpisode } from "./lerobot/fixtures.js";

// File handles: RLDS holds one shard file at a time (closed at the end of its records, on close(), on an error);
// LeRobot opens each episode's Parquet file only while decoding it. A source dropped mid-epoch without close()
// leaves neither a descriptor nor Node's DEP0137 warning.
const rldsDir = tmp();
await writeRlds(rldsDir, await Promise.all([6, 9, 5, 8].map((n, i) => rldsEpisode(i, n, false))), { name: "bridge", preset: "bridge", shards: 2 });
const lerobotDir = join(tmp(), "lerobot");
await writeLeRobot(lerobotDir, await Promise.all([6, 9, 5].map((n, i) => lerobotEpisode(i, n))), { fps: 5 });

const readers: [string, () => Promise<Source>, number][] = [
  ["RLDS", () => openRlds(rldsDir, { batchSize: 4 }), 1],
  ["RLDS shuffled", () => openRlds(rldsDir, { batchSize: 4, shuffleEpisodes: true, seed: 2 }), 1],
  // No file between episodes; the prefetched episode's file may be open for a moment.
  ["LeRobot", () => openLeRobot(lerobotDir, { batchSize: 4 }), -1],
];

describe.skipIf(openFdCount() === null).each(readers)("%s file handles", (_name, open, held) => {
  it("closes on close() mid-epoch, and a source dropped unclosed is collected without DEP0137 or a leaked descriptor", async () => {
    const report = await checkHandles(open);
    if (held >= 0) expect(report.heldWhileReading).toBe(held);
    else expect(report.heldWhileReading).toBeLessThanOrEqual(1);
    expect(report.leftAfterClose).toBe(0);
    expect(report.leftAfterAbandon).toBe(0);
    expect(report.gcWarnings).toEqual([]);
  });

  it("holds no descriptor once its data is read to the end, before close()", async () => {
    const before = openFdCount();
    const source = await open();
    expect((await collect(source)).length).toBeGreaterThan(1);
    expect(openFdCount()).toBe(before);
    await source.close?.();
    await source.close?.();
  });
});
