import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchToRows, collect, fingerprint, openShards, rowsToBatch } from "@cotrain/core";
import type { CanonicalRow, Source } from "@cotrain/core";
import { openLeRobot, openRlds } from "@cotrain/robot";
import { generateWorld } from "@cotrain/synth";
import type { DatasetStatsReport, InspectReport } from "@cotrain/cli";
import { cli, tempDir } from "./fixtures.js";

const rowsOf = async (source: Source): Promise<CanonicalRow[]> => (await collect(source)).flatMap(batchToRows);

/** The built-in sample world (@cotrain/synth) through the command line: inspect, convert and back. */
describe("the sample world through cotrain", () => {
  const root = tempDir("cotrain-cli-world-");
  const world = join(root, "world");
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(async () => {
    await generateWorld(world, { seed: 3, robotEpisodes: 4, zeroShotEpisodes: 1, vqaEntries: 8, evalFraction: 0.25, imageSize: 32 });
  });

  it.each([
    ["robot/rlds/bridge_synth", "rlds", "steps"],
    ["robot/lerobot/train", "lerobot", "steps"],
    ["vqa/llava/train.json", "llava", "entries"],
    ["vqa/parquet/train.parquet", "parquet-vqa", "entries"],
  ])("inspects %s as %s", async (path, format, count) => {
    const run = await cli("inspect", join(world, path), "--json", "-n", "2");
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as InspectReport;
    expect(report.format).toBe(format);
    expect(report.counts[count]).toBeGreaterThan(0);
    expect(report.samples).toHaveLength(2);
    expect(report.samples[0]!.messages[0]!.content.length).toBeGreaterThan(0);
    expect(report.samples[0]!.images[0]).toMatchObject({ width: 32, height: 32, format: "jpeg" });
  });

  it("gives statistics of its robot and VQA data", async () => {
    const robot = JSON.parse((await cli("stats", join(world, "robot/lerobot/train"))).stdout) as DatasetStatsReport;
    expect(robot.robot!.action.mean).toHaveLength(7);
    expect(robot.robot!.numTrajectories).toBe(3);
    const vqa = JSON.parse((await cli("stats", join(world, "vqa/parquet/train.parquet"))).stdout) as DatasetStatsReport;
    expect(vqa.vqa!.entries).toBe(6);
    expect(vqa.robot).toBeNull();
  });

  it.each([
    ["robot/rlds/bridge_synth", () => openRlds(join(world, "robot/rlds/bridge_synth/1.0.0"))],
    ["robot/lerobot/train", () => openLeRobot(join(world, "robot/lerobot/train"))],
  ])("converts %s into shards that read back as the same rows", async (path, open) => {
    const out = join(root, path.replaceAll("/", "-"));
    for (const part of ["0/2", "1/2"]) expect((await cli("convert", join(world, path), "-o", out, "--shard", part, "--format", "parquet")).code).toBe(0);
    const expected = await rowsOf(await open());
    const back = await rowsOf(openShards(out));
    const sorted = (rows: CanonicalRow[]): CanonicalRow[] => [...rows].sort((a, b) => (a.sample_id < b.sample_id ? -1 : 1));
    expect(back).toHaveLength(expected.length);
    expect(fingerprint(rowsToBatch(sorted(back)))).toBe(fingerprint(rowsToBatch(sorted(expected))));
  });
});
