import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchToRows, collect, fingerprint, openShards, readManifests, rowsToBatch } from "@cotrain/core";
import type { CanonicalRow, Source } from "@cotrain/core";
import { openLeRobot, openRlds } from "@cotrain/robot";
import { openLlava } from "@cotrain/vqa";
import { cli, robotEpisodes, tempDir, vqaEntries, writeLeRobotFixture, writeLlavaFixture, writeRldsFixture } from "./fixtures.js";

const rowsOf = async (source: Source): Promise<CanonicalRow[]> => (await collect(source)).flatMap(batchToRows);
/** Byte-level identity of a list of rows, whatever batches they came in. */
const print = (rows: CanonicalRow[]): string => fingerprint(rowsToBatch(rows));
const byId = (rows: CanonicalRow[]): CanonicalRow[] => [...rows].sort((a, b) => (a.sample_id < b.sample_id ? -1 : a.sample_id > b.sample_id ? 1 : 0));

describe("cotrain convert", () => {
  const root = tempDir("cotrain-cli-convert-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const paths: Record<string, string> = {};

  beforeAll(async () => {
    const episodes = await robotEpisodes(5);
    paths.rlds = (await writeRldsFixture(root, episodes, 2)).versionDir;
    paths.lerobot = await writeLeRobotFixture(join(root, "lerobot"), episodes);
    paths.llava = await writeLlavaFixture(root, await vqaEntries(11));
  });

  it.each([
    ["RLDS", "rlds", "arrow"],
    ["LeRobot", "lerobot", "parquet"],
  ])("turns %s into %s shards that read back equal to the source rows", async (_, key, format) => {
    const out = join(root, `${key}-${format}`);
    const run = await cli("convert", paths[key] as string, "--out", out, "--format", format, "--max-rows", "4");
    expect(run.code).toBe(0);
    const source = key === "rlds" ? await openRlds(paths.rlds as string) : await openLeRobot(paths.lerobot as string);
    const expected = await rowsOf(source);
    const manifest = (await readManifests(out))[0]?.manifest;
    expect(manifest!.format).toBe(format);
    expect(manifest!.total_rows).toBe(expected.length);
    const full = Math.floor(expected.length / 4);
    expect(manifest!.shards.map((s) => s.rows)).toEqual([...new Array<number>(full).fill(4), ...(expected.length % 4 ? [expected.length % 4] : [])]);
    const back = await rowsOf(openShards(out));
    expect(back.map((r) => r.sample_id)).toEqual(expected.map((r) => r.sample_id));
    expect(print(back)).toBe(print(expected));
    expect(run.stdout).toContain(`→ ${expected.length} rows in ${manifest!.shards.length} ${format} shard(s)`);
  });

  it("inspects the shards it wrote (detected from the manifest)", async () => {
    const out = join(root, "rlds-arrow");
    const run = await cli("inspect", out, "--json", "-n", "1");
    const report = JSON.parse(run.stdout) as { format: string; counts: Record<string, number>; samples: { sampleId: string }[] };
    expect(report.format).toBe("shards");
    expect(report.counts.rows).toBe(3 + 4 + 5 + 3 + 4);
    expect(report.samples[0]!.sampleId).toBe("traj0_0#0");
  });

  it.each([
    ["RLDS shard files", "rlds", 2],
    ["LeRobot episodes", "lerobot", 3],
    ["LLaVA entries", "llava", 3],
  ])("splits %s between n --shard jobs that together cover the input exactly once", async (_, key, n) => {
    const out = join(root, `${key}-sharded`);
    for (let i = 0; i < n; i++) {
      const run = await cli("convert", paths[key] as string, "-o", out, "--shard", `${i}/${n}`);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`(part ${i}/${n})`);
    }
    expect(readdirSync(out).filter((f) => f.startsWith("manifest")).sort()).toEqual(Array.from({ length: n }, (_, i) => `manifest-${i}-of-${n}.json`));
    const manifests = await readManifests(out);
    const perWorker = manifests.map((m) => m.manifest.total_rows);
    expect(perWorker.every((rows) => rows > 0)).toBe(true); // every job got a part
    const source = key === "rlds" ? await openRlds(paths.rlds as string) : key === "lerobot" ? await openLeRobot(paths.lerobot as string) : openLlava(paths.llava as string);
    const expected = await rowsOf(source);
    const back = await rowsOf(openShards(out));
    expect(back).toHaveLength(expected.length);
    expect(new Set(back.map((r) => r.sample_id)).size).toBe(expected.length);
    expect(print(byId(back))).toBe(print(byId(expected)));
  });

  it("fails on a bad --shard or --format with exit code 1", async () => {
    const bad = await cli("convert", paths.rlds as string, "-o", join(root, "x"), "--shard", "2/2");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("shard index must be in 0..1, got 2");
    const format = await cli("convert", paths.rlds as string, "-o", join(root, "x"), "--format", "csv");
    expect(format.code).toBe(1);
    expect(format.stderr).toContain('expected "arrow" or "parquet", got "csv"');
    const noOut = await cli("convert", paths.rlds as string);
    expect(noOut.code).toBe(1);
    expect(noOut.stderr).toContain("required option '-o, --out <dir>' not specified");
  });
});
