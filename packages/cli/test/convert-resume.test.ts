import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProgress } from "@cotrain/core";
import { cli, robotEpisodes, tempDir, writeRldsFixture } from "./fixtures.js";

const filesOf = (dir: string): Record<string, string> => Object.fromEntries(readdirSync(dir).sort().map((n) => [n, readFileSync(join(dir, n)).toString("base64")]));

// The interrupted run is a real failure part-way (a truncated TFRecord file, found after some shards were written);
// killing the process at random moments is tools/soak.mjs's job (test/soak.test.ts).
describe("cotrain convert --resume", () => {
  const root = tempDir("cotrain-cli-resume-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let rlds = "";
  let reference = "";
  const args = (out: string, ...more: string[]): string[] => ["convert", rlds, "--out", out, "--max-rows", "3", "--options", '{"batchSize": 2}', ...more];

  beforeAll(async () => {
    rlds = (await writeRldsFixture(root, await robotEpisodes(8), 2)).versionDir;
    reference = join(root, "reference");
    expect((await cli(...args(reference))).code).toBe(0);
  });

  it("continues a conversion that failed part-way from its last complete shard, ending byte-identical to an uninterrupted one", async () => {
    const out = join(root, "interrupted");
    const second = readdirSync(rlds).find((n) => n.includes("tfrecord-00001"))!;
    copyFileSync(join(rlds, second), join(root, "saved.tfrecord"));
    truncateSync(join(rlds, second), 100);
    const failed = await cli(...args(out));
    copyFileSync(join(root, "saved.tfrecord"), join(rlds, second));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^cotrain: TruncatedError/m);
    expect(existsSync(join(out, "manifest.json"))).toBe(false);
    const saved = (await readProgress(out, null))!;
    expect(saved.shards.length).toBeGreaterThan(0);

    const resumed = await cli(...args(out, "--resume"));
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resumed: kept ${saved.shards.length} complete shard(s), ${saved.rows} rows, of the interrupted run`);
    expect(filesOf(out)).toEqual(filesOf(reference));
  });

  it("leaves a finished folder as it is, and refuses to resume one written with other options", async () => {
    const again = await cli(...args(reference, "--resume"));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already converted: the folder holds this job's manifest");
    const other = await cli(...args(reference, "--resume", "--format", "parquet"));
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/^cotrain: StateError SHARDS_RESUME_MISMATCH: .*manifest\.json, field "format": cannot resume: the folder holds a finished job whose format was "arrow", this job's is "parquet"/m);
  });

  it("starts afresh with --resume when the folder holds no interrupted run", async () => {
    const out = join(root, "fresh");
    const run = await cli(...args(out, "--resume"));
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("resumed");
    expect(filesOf(out)).toEqual(filesOf(reference));
  });
});
