import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateError, batchToRows, collect, fromRows, openShards, progressName, readProgress, shuffle, writeShards } from "@cotrain/core";
import type { Source, WriteShardsOptions } from "@cotrain/core";
import { errorOf } from "@cotrain/test-utils";
import { mixedRows, normalized, plain } from "./fixtures.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-resume-"));
const rows = mixedRows(130);

/** Every file of a folder with its bytes, for byte-for-byte comparison of two shard folders. */
const filesOf = (dir: string): Record<string, string> => Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n)).toString("base64")]));

/** A source that fails at its `failAt`-th next() as a killed job would stop: mid-stream, with a shard open. */
function failingAt(source: Source, failAt: number): Source {
  let calls = 0;
  return {
    ...source,
    next: async () => {
      if (calls++ === failAt) throw new Error("killed");
      return source.next();
    },
    state: () => source.state(),
    restore: (s) => source.restore(s),
  };
}

// Batches of 16 (shuffled: a source whose state is more than an offset), shards of 24 rows: shard ends fall inside
// batches (24, 72, 120), at batch ends (48, 96) and at the stream's end (130).
const makeSource = (): Source => shuffle(fromRows(rows, { batchSize: 16 }), { bufferSize: 32, seed: 7, batchSize: 16 });

describe.each(["arrow", "parquet"] as const)("writeShards resume (%s)", (format) => {
  const options: WriteShardsOptions = { format, maxRowsPerShard: 24, rowGroupSize: 10 };

  it("continues an interrupted job from its last complete shard and writes exactly the uninterrupted run's files", async () => {
    const reference = tmp();
    await writeShards(makeSource(), reference, options);
    const expected = filesOf(reference);
    expect(Object.keys(expected)).toHaveLength(7); // 6 shards and the manifest; no progress record is left
    const batches = Math.ceil(rows.length / 16);
    for (let failAt = 0; failAt <= batches; failAt++) {
      const dir = tmp();
      expect(await errorOf(() => writeShards(failingAt(makeSource(), failAt), dir, options))).toMatchObject({ message: "killed" });
      expect(existsSync(join(dir, "manifest.json"))).toBe(false);
      const saved = await readProgress(dir, null);
      const before = saved?.shards.length ?? 0;
      let resumedFrom: { shards: number; rows: number; finished: boolean } | null = null;
      await writeShards(makeSource(), dir, { ...options, resume: true, onResume: (from) => (resumedFrom = from) });
      expect(resumedFrom, `failAt ${failAt}`).toEqual(saved ? { shards: before, rows: saved.rows, finished: false } : null);
      expect(filesOf(dir), `failAt ${failAt}`).toEqual(expected);
    }
  });

  it("reads back every row exactly once after several interruptions in a row", async () => {
    const dir = tmp();
    for (const failAt of [2, 1, 3]) await errorOf(() => writeShards(failingAt(makeSource(), failAt), dir, { ...options, resume: true }));
    await writeShards(makeSource(), dir, { ...options, resume: true });
    const back = (await collect(openShards(dir, { batchSize: 50 }))).flatMap(batchToRows);
    const ids = back.map((r) => r.sample_id);
    expect(new Set(ids).size).toBe(rows.length);
    expect([...back].sort((a, b) => (a.sample_id < b.sample_id ? -1 : 1)).map(plain)).toEqual([...rows].sort((a, b) => (a.sample_id < b.sample_id ? -1 : 1)).map(normalized));
  });

  it("returns a finished job as it is, without reading the source", async () => {
    const dir = tmp();
    const manifest = await writeShards(makeSource(), dir, options);
    const untouched = failingAt(makeSource(), 0);
    let from = null;
    expect(await writeShards(untouched, dir, { ...options, resume: true, onResume: (f) => (from = f) })).toEqual(manifest);
    expect(from).toEqual({ shards: manifest.shards.length, rows: rows.length, finished: true });
  });

  it("clears what a killed run left: temporary files, a shard renamed after the last record, a stale progress record", async () => {
    const dir = tmp();
    await errorOf(() => writeShards(failingAt(makeSource(), 4), dir, options));
    const saved = (await readProgress(dir, null))!;
    const next = `part-${String(saved.shards.length).padStart(5, "0")}.${format}`;
    writeFileSync(join(dir, next), "a shard whose run died before recording it");
    writeFileSync(join(dir, `${next}.tmp-999999`), "half a shard");
    writeFileSync(join(dir, "manifest.json.tmp-999999"), "{");
    writeFileSync(join(dir, "notes.txt"), "not the job's");
    await writeShards(makeSource(), dir, { ...options, resume: true });
    const reference = tmp();
    await writeShards(makeSource(), reference, options);
    const { "notes.txt": notes, ...rest } = filesOf(dir);
    expect(notes).toBeDefined();
    expect(rest).toEqual(filesOf(reference));
  });

  it("starting afresh (no resume) removes the old manifest first, so a crash never leaves it beside new shards", async () => {
    const dir = tmp();
    await writeShards(makeSource(), dir, options);
    await errorOf(() => writeShards(failingAt(makeSource(), 3), dir, { ...options, maxRowsPerShard: 40 }));
    expect(existsSync(join(dir, "manifest.json"))).toBe(false);
    expect(readdirSync(dir).filter((n) => n.startsWith("part-") && !n.includes(".tmp-")).length).toBe((await readProgress(dir, null))!.shards.length);
  });

  it("refuses to resume with other options, or when a recorded shard is gone, naming the field or file", async () => {
    const dir = tmp();
    await errorOf(() => writeShards(failingAt(makeSource(), 5), dir, options));
    const mismatch = await errorOf(() => writeShards(makeSource(), dir, { ...options, maxRowsPerShard: 25, resume: true }));
    expect(mismatch).toBeInstanceOf(StateError);
    expect(mismatch).toMatchObject({ code: "SHARDS_RESUME_MISMATCH", field: "maxRowsPerShard" });
    expect(String(mismatch)).toMatch(/maxRowsPerShard was 24, this job's is 25/);
    const other = await errorOf(() => writeShards(fromRows(rows, { batchSize: 16 }), dir, { ...options, resume: true }));
    expect(other).toMatchObject({ code: "SHARDS_RESUME_MISMATCH", field: "pipeline" });
    rmSync(join(dir, `part-00001.${format}`));
    const gone = await errorOf(() => writeShards(makeSource(), dir, { ...options, resume: true }));
    expect(gone).toMatchObject({ code: "SHARDS_RESUME_SHARD", file: join(dir, progressName(null)) });
    expect(String(gone)).toMatch(/part-00001\.\w+ is missing/);
  });
});
