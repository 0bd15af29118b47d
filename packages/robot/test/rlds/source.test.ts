import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FormatError, batchToRows, collect, fingerprint } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";
import { runResumeTest } from "@cotrain/test-utils";
import { openRlds, writeRlds } from "@cotrain/robot";
import type { Episode, FeatureValue, OpenRldsOptions } from "@cotrain/robot";
import { bridgeEpisode, droidEpisode, expectedFingerprints, fingerprintsOf, flipByte, recordOffsets, rewriteRecord, tmp } from "./fixtures.js";

const lengths = [5, 9, 3, 12, 7, 8];

async function bridgeDataset(shards = 3): Promise<{ dir: string; episodes: Episode[]; files: string[] }> {
  const episodes = await Promise.all(lengths.map((n, i) => bridgeEpisode(i, n, false)));
  const dir = tmp();
  const { files } = await writeRlds(dir, episodes, { name: "bridge", preset: "bridge", shards });
  return { dir, episodes, files };
}

const sampleIds = async (options: OpenRldsOptions & { dir: string }): Promise<string[]> =>
  (await collect(await openRlds(options.dir, options))).flatMap((b) => batchToRows(b).map((r) => r.sample_id));

describe("openRlds as a Source", () => {
  it("resumes mid-episode: every checkpoint, sequential and shuffled, with chunking", async () => {
    const { dir } = await bridgeDataset();
    for (const options of [{ batchSize: 4 }, { batchSize: 5, shuffleEpisodes: true, seed: 3, chunk: 4 }] as OpenRldsOptions[]) {
      const total = (await fingerprintsOf(await openRlds(dir, options))).length;
      const report = await runResumeTest(() => openRlds(dir, options), Array.from({ length: total + 1 }, (_, k) => k));
      expect(report.total).toBe(total);
    }
  });

  it("saves a mid-episode state {epoch, shard, record, offset, step} and restores by re-reading only that record", async () => {
    const { dir, episodes, files } = await bridgeDataset();
    const first = await openRlds(dir, { batchSize: 4 });
    await first.next();
    await first.next();
    await first.next(); // 12 rows: episode 0 (5), episode 1 (steps 0..6 of 9)
    const state = first.state() as { [k: string]: JsonValue };
    const offsets = await recordOffsets(files[0]!);
    expect(state).toMatchObject({ epoch: 0, shard: 0, record: 1, offset: offsets[1], step: 7, shards: 3, skipped: {} });
    await first.close();
    // Corrupt record 0: a restore that read from the start of the file would now fail.
    flipByte(files[0]!, offsets[0]! + 12 + 100);
    const second = await openRlds(dir, { batchSize: 4 });
    second.restore(JSON.parse(JSON.stringify(state)));
    const rest = (await collect(second)).flatMap((b) => batchToRows(b).map((r) => r.sample_id));
    const expected = episodes.flatMap((e) => Array.from({ length: e.length }, (_, t) => `${e.id}#${t}`)).slice(12);
    expect(rest).toEqual(expected);
  });

  it("shuffles shard order and the episodes within shards by (seed, epoch); every step exactly once", async () => {
    const { dir, episodes } = await bridgeDataset();
    const inOrder = await sampleIds({ dir });
    const a = await sampleIds({ dir, shuffleEpisodes: true, seed: 1 });
    const b = await sampleIds({ dir, shuffleEpisodes: true, seed: 1 });
    const c = await sampleIds({ dir, shuffleEpisodes: true, seed: 2 });
    expect(a).toEqual(b);
    expect([...a].sort()).toEqual([...inOrder].sort());
    expect(inOrder).toHaveLength(lengths.reduce((x, y) => x + y, 0));
    expect(a).not.toEqual(inOrder);
    expect(c).not.toEqual(a);
    // Steps of an episode stay together and in order (episode-level shuffle; step shuffling is core's shuffle()).
    const episodeOrder = [...new Set(a.map((id) => id.slice(0, id.lastIndexOf("#"))))];
    expect(episodeOrder).toHaveLength(episodes.length);
    const source = await openRlds(dir, { shuffleEpisodes: true, seed: 1 });
    const epoch0 = (await collect(source)).map(fingerprint);
    source.reset();
    const epoch1 = (await collect(source)).map(fingerprint);
    source.reset(0);
    expect((await collect(source)).map(fingerprint)).toEqual(epoch0);
    expect(epoch1).not.toEqual(epoch0);
  });

  it("shard {index, count} partitions shard files: disjoint workers that together read everything", async () => {
    const { dir } = await bridgeDataset(4);
    const all = await sampleIds({ dir });
    const parts = await Promise.all([0, 1].map((index) => sampleIds({ dir, shard: { index, count: 2 } })));
    expect(parts[0]!.length).toBeGreaterThan(0);
    expect(parts[1]!.length).toBeGreaterThan(0);
    expect([...parts[0]!, ...parts[1]!].sort()).toEqual([...all].sort());
    expect(parts[0]!.filter((id) => parts[1]!.includes(id))).toEqual([]);
  });

  it("onError 'skip' drops bad episodes, counts them by reason, and resumes with the counts", async () => {
    const { dir, episodes, files } = await bridgeDataset(2); // shard 0: episodes 0-2, shard 1: 3-5
    await rewriteRecord(files[1]!, 0, (f) => {
      const a = f.get("steps/action") as Extract<FeatureValue, { kind: "float" }>;
      f.set("steps/action", { kind: "float", values: Array.from(a.values, (x, i) => (i === 2 ? Infinity : x)) });
    });
    await rewriteRecord(files[1]!, 2, (f) => void ((f.get("steps/observation/image_1") as { values: Uint8Array[] }).values[0] = new Uint8Array(0)));
    const offsets = await recordOffsets(files[0]!);
    flipByte(files[0]!, offsets[1]! + 12 + 5);
    const kept = [0, 2, 4].map((i) => episodes[i]!);
    for (const shuffleEpisodes of [false, true]) {
      const source = await openRlds(dir, { onError: "skip", batchSize: 4, shuffleEpisodes, seed: 5 });
      const got = await fingerprintsOf(source);
      expect(source.skipped()).toEqual({ TFRECORD_DATA_CRC: 1, NON_FINITE: 1, IMAGE_EMPTY: 1 });
      if (!shuffleEpisodes) expect(got).toEqual(await expectedFingerprints(kept, 4));
      await runResumeTest(() => openRlds(dir, { onError: "skip", batchSize: 4, shuffleEpisodes, seed: 5 }));
    }
    await expect(collect(await openRlds(dir))).rejects.toMatchObject({ code: "TFRECORD_DATA_CRC" });
  });

  it("onError 'skip' counts every episode lost behind a broken header", async () => {
    const { dir, episodes, files } = await bridgeDataset(2);
    const offsets = await recordOffsets(files[0]!);
    flipByte(files[0]!, offsets[1]! + 2); // record 1's length: records 1 and 2 can no longer be found
    for (const shuffleEpisodes of [false, true]) {
      const source = await openRlds(dir, { onError: "skip", shuffleEpisodes });
      const ids = (await collect(source)).flatMap((b) => batchToRows(b).map((r) => r.sample_id.slice(0, r.sample_id.lastIndexOf("#"))));
      expect(source.skipped()).toEqual({ TFRECORD_LENGTH_CRC: 2 });
      expect([...new Set(ids)].sort()).toEqual([0, 3, 4, 5].map((i) => episodes[i]!.id).sort());
    }
  });

  it("a shard holding more records than dataset_info.json lists: raised, or counted once (also across a resume)", async () => {
    const { dir, files } = await bridgeDataset(2);
    const infoPath = join(dir, "dataset_info.json");
    const info = JSON.parse(readFileSync(infoPath, "utf8"));
    info.splits[0].shardLengths = ["2", "3"];
    writeFileSync(infoPath, JSON.stringify(info));
    const offsets = await recordOffsets(files[0]!);
    for (const shuffleEpisodes of [false, true]) {
      const err = await collect(await openRlds(dir, { shuffleEpisodes })).catch((e: unknown) => e);
      expect(err).toMatchObject({ constructor: FormatError, code: "RLDS_SHARD_LENGTH", file: files[0], offset: offsets[2], row: 2 });
      const source = await openRlds(dir, { onError: "skip", shuffleEpisodes, batchSize: 3 });
      expect((await collect(source)).reduce((n, b) => n + b.numRows, 0)).toBe(lengths.reduce((a, b) => a + b, 0) - lengths[2]!);
      expect(source.skipped()).toEqual({ RLDS_SHARD_LENGTH: 1 });
      await runResumeTest(() => openRlds(dir, { onError: "skip", shuffleEpisodes, batchSize: 3 }));
    }
  });

  it("chunks actions H×D with action_is_pad at the episode end", async () => {
    const { dir, episodes } = await bridgeDataset(1);
    const rows = (await collect(await openRlds(dir, { chunk: 4, batchSize: 64 }))).flatMap(batchToRows);
    const e = episodes[2]!; // 3 steps
    const start = lengths[0]! + lengths[1]!;
    const action = (t: number): number[] => Array.from(e.actions.subarray(t * 7, t * 7 + 7));
    expect(rows[start]!.action_is_pad).toEqual([false, false, false, true]);
    expect(Array.from(rows[start]!.action!)).toEqual([...action(0), ...action(1), ...action(2), ...action(2)]);
    expect(rows[start + 2]!.action_is_pad).toEqual([false, true, true, true]);
    expect(Array.from(rows[start + 2]!.action!)).toEqual([...action(2), ...action(2), ...action(2), ...action(2)]);
    expect(rows[start + 2]!.is_last).toBe(true);
    expect(rows[start + 3]!.episode_index).toBe(3);
    expect(rows[start + 3]!.action_is_pad).toEqual([false, false, false, false]);
  });

  it("DROID: the instruction is the primary one, or a seeded per-episode choice among the non-empty alternates", async () => {
    const episodes = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => droidEpisode(i, 3)));
    const dir = tmp();
    await writeRlds(dir, episodes, { name: "droid", preset: "droid" });
    const instructions = async (options: OpenRldsOptions): Promise<string[]> =>
      (await collect(await openRlds(dir, options))).flatMap((b) => batchToRows(b).filter((r) => r.step_index === 0).map((r) => r.messages[0]!.content));
    expect(await instructions({})).toEqual(episodes.map((e) => e.instructions[0]));
    const random = await instructions({ instructionChoice: "random", seed: 9 });
    expect(await instructions({ instructionChoice: "random", seed: 9 })).toEqual(random);
    random.forEach((text, i) => {
      const e = episodes[i]!;
      const options = [e.instructions[0], ...Object.values(e.alternateInstructions!).map((l) => l[0])].filter((s) => s !== "");
      expect(options).toContain(text);
    });
    expect(random).not.toEqual(episodes.map((e) => e.instructions[0]));
  });

  it("rejects a state saved over another dataset", async () => {
    const { dir } = await bridgeDataset(3);
    const other = await bridgeDataset(2);
    const source = await openRlds(dir);
    await source.next();
    const state = source.state();
    const wrong = await openRlds(other.dir);
    expect(() => wrong.restore(state)).toThrow(expect.objectContaining({ code: "RLDS_STATE" }));
    await source.close();
    expect(source.describe()).toBe("rlds(bridge 1.0.0, train, 3 shards, cameras=[image_0,image_1,image_2,image_3], batch=64, preset=bridge)");
  });
});
