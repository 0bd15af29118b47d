import { describe, expect, it } from "vitest";
import { batchToRows } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";
import { runResumeTest } from "@cotrain/test-utils";
import { openRlds, writeRlds } from "@cotrain/robot";
import { bridgeEpisode, flipByte, recordOffsets, tmp } from "./fixtures.js";

/** One shard of 5 Bridge episodes of 6 steps; record 2's data is corrupt. */
async function corruptDataset(): Promise<{ dir: string; offsets: number[] }> {
  const episodes = await Promise.all([0, 1, 2, 3, 4].map((i) => bridgeEpisode(i, 6, false)));
  const dir = tmp();
  const { files } = await writeRlds(dir, episodes, { name: "bridge", preset: "bridge" });
  const offsets = await recordOffsets(files[0]!);
  flipByte(files[0]!, offsets[2]! + 12 + 50);
  return { dir, offsets };
}

describe("openRlds reads the next record ahead", () => {
  it("saves the state of what it handed out, not of what it read ahead (skips counted when reached)", async () => {
    const { dir, offsets } = await corruptDataset();
    const source = await openRlds(dir, { batchSize: 6, onError: "skip" });
    await source.next();
    await source.next(); // episodes 0 and 1; the read ahead has passed the corrupt record 2 by now
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(source.state()).toMatchObject({ record: 2, offset: offsets[2], step: 0, skipped: {} });
    expect(source.skipped()).toEqual({});
    const state = JSON.parse(JSON.stringify(source.state())) as JsonValue;
    const rest = async (s: typeof source): Promise<number[]> => {
      const out: number[] = [];
      for (let b = await s.next(); b !== null; b = await s.next()) out.push(...batchToRows(b).map((r) => r.episode_index!));
      return out;
    };
    expect(await rest(source)).toEqual([3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4]);
    expect(source.skipped()).toEqual({ TFRECORD_DATA_CRC: 1 });
    await source.close();

    const restored = await openRlds(dir, { batchSize: 6, onError: "skip" });
    restored.restore(state);
    expect(await rest(restored)).toEqual([3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4]);
    expect(restored.skipped()).toEqual({ TFRECORD_DATA_CRC: 1 });
    await restored.close();
  });

  it("resumes from every checkpoint of a dataset with a skipped record (runResumeTest)", async () => {
    const { dir } = await corruptDataset();
    for (const options of [{ batchSize: 4, onError: "skip" }, { batchSize: 5, onError: "skip", shuffleEpisodes: true, seed: 2 }] as const) {
      const report = await runResumeTest(() => openRlds(dir, options), Array.from({ length: 7 }, (_, k) => k));
      expect(report.total).toBeGreaterThan(0);
    }
  });

  it("raises a read-ahead error from the next() that needs that episode", async () => {
    const { dir } = await corruptDataset();
    const source = await openRlds(dir, { batchSize: 6 });
    expect((await source.next())!.numRows).toBe(6);
    expect((await source.next())!.numRows).toBe(6);
    await expect(source.next()).rejects.toMatchObject({ code: "TFRECORD_DATA_CRC", row: 2 });
    await source.close();
  });
});
