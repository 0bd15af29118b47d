import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromRows, writeShards } from "@cotrain/core";
// @ts-expect-error: repository tooling in plain JavaScript, without declarations
import { folderDifferences, multisetDifference, partialShardsListed } from "../tools/soak/checks.mjs";
// @ts-expect-error: repository tooling in plain JavaScript, without declarations
import { formatTable, runSoak } from "../tools/soak/run.mjs";

interface SoakResult {
  ok: boolean;
  wallMs: number;
  world: { robotSteps: number };
  convert: { inputRows: number; kills: number; lost: number; duplicated: number; partialShardsListed: number; identical: boolean; reference: Record<string, { shards: number }>; jobs: { rows: number }[] };
  train: { steps: number; samples: number; kills: number; lost: number; duplicated: number; idsEqual: boolean; metricsStepsOnce: boolean };
}

// The short soak of issue 16 (`npm run soak` runs 20 kills): the built CLI, SIGKILLed 3 times during
// `cotrain convert` and 3 times during `cotrain train` on a small sample world, restarted with --resume each time.
describe("kill/restart soak (3 kills each)", () => {
  it("loses and duplicates no row, lists no partial shard, and matches uninterrupted runs byte for byte", async () => {
    const r = (await runSoak({ kills: 3, size: "small", seed: 1 })) as SoakResult;
    const c = r.convert;
    expect(c.inputRows).toBe(r.world.robotSteps);
    expect(c.reference.arrow!.shards).toBeGreaterThan(10); // many shard boundaries for a kill to fall between
    expect(c.jobs.every((j) => j.rows === c.inputRows)).toBe(true);
    expect([c.kills, c.lost, c.duplicated, c.partialShardsListed, c.identical]).toEqual([3, 0, 0, 0, true]);
    const t = r.train;
    expect(t.steps).toBe(40);
    expect(t.samples).toBe(40 * 8);
    expect([t.kills, t.lost, t.duplicated, t.idsEqual, t.metricsStepsOnce]).toEqual([3, 0, 0, true, true]);
    expect(r.ok).toBe(true);
    expect(formatTable(r)).toMatch(/\| cotrain convert \| \d+ +\| 3 +\| 0 +\| 0 +\| 0 +\| yes/);
  }, 240_000);
});

// The soak's checks must be able to fail: each is shown a folder or list that is wrong.
describe("the soak's checks", () => {
  it("find a listed shard that is partial, missing or altered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cotrain-soak-check-"));
    const manifest = await writeShards(fromRows(Array.from({ length: 40 }, (_, i) => ({ source: "s", kind: "vqa" as const, sample_id: `r${i}` })), { batchSize: 8 }), dir, { maxRowsPerShard: 10 });
    expect(partialShardsListed(dir)).toEqual({ bad: [], checked: 4 });
    truncateSync(join(dir, manifest.shards[1]!.file), 20);
    const bytes = readFileSync(join(dir, manifest.shards[2]!.file));
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(join(dir, manifest.shards[2]!.file), bytes);
    expect(partialShardsListed(dir).bad).toEqual([`manifest.json: part-00001.arrow (20 bytes, listed ${manifest.shards[1]!.bytes})`, "manifest.json: part-00002.arrow (sha256 differs)"]);
    const other = mkdtempSync(join(tmpdir(), "cotrain-soak-check-"));
    await writeShards(fromRows(Array.from({ length: 40 }, (_, i) => ({ source: "s", kind: "vqa" as const, sample_id: `r${i}` })), { batchSize: 8 }), other, { maxRowsPerShard: 10 });
    expect(folderDifferences(dir, other)).toEqual(["part-00001.arrow", "part-00002.arrow"]);
    for (const d of [dir, other]) rmSync(d, { recursive: true, force: true });
  });

  it("count lost and duplicated rows as multisets", () => {
    expect(multisetDifference(["a", "b", "b", "c"], ["a", "b", "c"])).toEqual({ lost: 1, duplicated: 0 });
    expect(multisetDifference(["a", "b"], ["a", "a", "b", "d"])).toEqual({ lost: 0, duplicated: 2 });
    expect(multisetDifference(["a", "b"], ["b", "a"])).toEqual({ lost: 0, duplicated: 0 });
  });
});
