import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  ChecksumError, FormatError, MissingError, TruncatedError, batchToRows, collect, fromRows, openShards, partitionInputs, parseShardSpec, readManifests, writeShards,
} from "@cotrain/core";
import type { Manifest } from "@cotrain/core";
import { runResumeTest, errorOf } from "@cotrain/test-utils";
import { mixedRows, normalized, plain } from "./fixtures.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-core-"));
const rows = mixedRows(130);


describe.each(["arrow", "parquet"] as const)("%s shards", (format) => {
  it("round-trip through the manifest with bounded shard sizes", async () => {
    const dir = tmp();
    const manifest = await writeShards(fromRows(rows, { batchSize: 16 }), dir, { format, maxRowsPerShard: 50, rowGroupSize: 20 });
    expect(manifest.shards.map((s) => s.rows)).toEqual([50, 50, 30]);
    expect(manifest.total_rows).toBe(130);
    expect(manifest.shards.every((s) => s.sha256.length === 64 && s.bytes > 0)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["manifest.json", ...manifest.shards.map((s) => s.file)].sort());
    const back = (await collect(openShards(dir, { batchSize: 16 }))).flatMap(batchToRows);
    expect(back.map(plain)).toEqual(rows.map(normalized));
  });

  it("resume at any row", async () => {
    const dir = tmp();
    await writeShards(fromRows(rows, { batchSize: 16 }), dir, { format, maxRowsPerShard: 45, rowGroupSize: 10 });
    const report = await runResumeTest(() => openShards(dir, { batchSize: 12 }));
    expect(report.total).toBeGreaterThan(5);
    await runResumeTest(() => openShards(dir, { batchSize: 12 }), Array.from({ length: report.total + 1 }, (_, k) => k));
  });

  it("a truncated shard raises TruncatedError naming the file", async () => {
    const dir = tmp();
    const manifest = await writeShards(fromRows(rows), dir, { format, maxRowsPerShard: 100 });
    const victim = join(dir, manifest.shards[1]!.file);
    truncateSync(victim, manifest.shards[1]!.bytes - 10);
    const error = await errorOf(() => collect(openShards(dir)));
    expect(error).toBeInstanceOf(TruncatedError);
    expect(error.file).toBe(victim);
    expect(error.code).toBe("SHARD_TRUNCATED");
  });

  it("a shard whose bytes do not match the manifest's sha256 raises ChecksumError naming the file", async () => {
    const dir = tmp();
    const manifest = await writeShards(fromRows(rows), dir, { format });
    const victim = join(dir, manifest.shards[0]!.file);
    const bytes = readFileSync(victim);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(victim, bytes);
    const error = await errorOf(() => collect(openShards(dir)));
    expect(error).toBeInstanceOf(ChecksumError);
    expect(error.file).toBe(victim);
    expect(error.field).toBe("sha256");
  });

  it("a manifest whose row count disagrees with the shard raises a typed error", async () => {
    const dir = tmp();
    await writeShards(fromRows(rows), dir, { format });
    const path = join(dir, "manifest.json");
    const manifest = JSON.parse(readFileSync(path, "utf8")) as Manifest;
    manifest.shards[0]!.rows += 3;
    writeFileSync(path, JSON.stringify(manifest));
    const error = await errorOf(() => collect(openShards(dir)));
    expect(error).toBeInstanceOf(TruncatedError);
    expect(error.code).toBe("SHARD_ROWS");
  });
});

describe("manifests and workers", () => {
  it("n workers write disjoint files into one folder and read back as one stream", async () => {
    const dir = tmp();
    const inputs = Array.from({ length: 7 }, (_, i) => `input-${i}`);
    for (let index = 0; index < 3; index++) {
      const mine = partitionInputs(inputs, { index, count: 3 });
      const part = rows.filter((_, i) => mine.includes(`input-${i % 7}`));
      await writeShards(fromRows(part), dir, { format: "arrow", worker: { index, count: 3 } });
    }
    expect(readdirSync(dir).filter((n) => n.startsWith("manifest")).sort()).toEqual(["manifest-0-of-3.json", "manifest-1-of-3.json", "manifest-2-of-3.json"]);
    const back = (await collect(openShards(dir))).flatMap(batchToRows);
    expect(back.map((r) => r.sample_id).sort()).toEqual(rows.map((r) => r.sample_id).sort());
  });

  it("partitioning assigns every input to exactly one worker, whatever the listing order", () => {
    const inputs = Array.from({ length: 23 }, (_, i) => `f${i}`);
    const parts = [0, 1, 2, 3].map((index) => partitionInputs(inputs, { index, count: 4 }));
    expect(parts.flat().sort()).toEqual([...inputs].sort());
    expect(Math.max(...parts.map((p) => p.length)) - Math.min(...parts.map((p) => p.length))).toBeLessThanOrEqual(1);
    expect(partitionInputs([...inputs].reverse(), { index: 2, count: 4 })).toEqual(parts[2]);
    expect(parseShardSpec("3/8")).toEqual({ index: 3, count: 8 });
    expect(() => parseShardSpec("8/8")).toThrow(/0..7, got 8/);
    expect(() => parseShardSpec("x")).toThrow(/i\/n/);
  });

  it("records the job's meta in the manifest, and reads manifests without it", async () => {
    const dir = tmp();
    const meta = { images: { size: [224, 224], resize: "crop", kernel: "lanczos3", format: "raw", quality: null } };
    const written = await writeShards(fromRows(rows.slice(0, 5)), dir, { meta });
    expect(written.meta).toEqual(meta);
    expect((await readManifests(dir))[0]!.manifest.meta).toEqual(meta);
    const path = join(dir, "manifest.json");
    const { meta: _, ...old } = JSON.parse(readFileSync(path, "utf8")) as Manifest;
    writeFileSync(path, JSON.stringify(old));
    expect((await readManifests(dir))[0]!.manifest.meta).toBeUndefined();
    expect((await collect(openShards(dir))).flatMap(batchToRows)).toHaveLength(5);
    writeFileSync(path, JSON.stringify({ ...old, meta: [1] }));
    expect((await errorOf(() => readManifests(dir))).code).toBe("MANIFEST_META");
    await expect(writeShards(fromRows(rows.slice(0, 1)), tmp(), { meta: "x" as never })).rejects.toThrow(/meta must be a JSON object/);
  });

  it("a missing folder, a missing manifest and a malformed manifest are typed errors", async () => {
    const dir = tmp();
    expect(await errorOf(() => collect(openShards(join(dir, "nope"))))).toBeInstanceOf(MissingError);
    expect(await errorOf(() => collect(openShards(dir)))).toBeInstanceOf(MissingError);
    writeFileSync(join(dir, "manifest.json"), "{not json");
    const bad = await errorOf(() => collect(openShards(dir)));
    expect(bad).toBeInstanceOf(FormatError);
    expect(bad.file).toBe(join(dir, "manifest.json"));
  });
});

describe("interop", () => {
  it("DuckDB reads a Parquet shard written here with identical values", async () => {
    const dir = tmp();
    const some = rows.slice(0, 40);
    const manifest = await writeShards(fromRows(some, { batchSize: 16 }), dir, { format: "parquet" });
    const file = join(dir, manifest.shards[0]!.file);
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const reader = await conn.runAndReadAll(
      `SELECT source, kind, sample_id, images, cameras, messages, action, action_is_pad, state, episode_index, step_index, is_first, is_last FROM read_parquet('${file}')`,
    );
    const got = reader.getRowObjectsJS();
    expect(got).toHaveLength(some.length);
    got.forEach((r, i) => {
      const want = normalized(some[i]!) as Record<string, unknown>;
      expect(r.sample_id).toBe(want.sample_id);
      expect(r.source).toBe(want.source);
      expect(r.kind).toBe(want.kind);
      expect(r.cameras).toEqual(want.cameras);
      expect((r.images as Uint8Array[]).map((b) => Array.from(b))).toEqual(want.images);
      expect(r.messages).toEqual(want.messages);
      const floats = (v: unknown) => (v === null || (Array.isArray(v) && v.length === 0) ? null : Array.from(v as number[], (x) => Math.fround(x)));
      expect(floats(r.action)).toEqual(want.action === null ? null : (want.action as number[]).map(Math.fround));
      expect(floats(r.state)).toEqual(want.state === null ? null : (want.state as number[]).map(Math.fround));
      expect(r.action_is_pad === null || (r.action_is_pad as unknown[]).length === 0 ? null : r.action_is_pad).toEqual(want.action_is_pad);
      expect(r.episode_index).toBe(want.episode_index);
      expect(r.step_index).toBe(want.step_index);
      expect(r.is_first).toBe(want.is_first);
      expect(r.is_last).toBe(want.is_last);
    });
    conn.closeSync();
  });
});
