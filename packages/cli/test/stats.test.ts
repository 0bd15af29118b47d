import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetStatsReport } from "@cotrain/cli";
import { computeStats } from "@cotrain/robot";
import type { Episode } from "@cotrain/robot";
import type { VqaEntry } from "@cotrain/vqa";
import { cli, robotEpisodes, tempDir, vqaEntries, writeLeRobotFixture, writeParquetFixture, writeRldsFixture } from "./fixtures.js";

describe("cotrain stats", () => {
  const root = tempDir("cotrain-cli-stats-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let episodes: Episode[];
  let entries: VqaEntry[];
  const paths: Record<string, string> = {};

  beforeAll(async () => {
    episodes = await robotEpisodes(6);
    entries = await vqaEntries(10);
    paths.rlds = (await writeRldsFixture(root, episodes)).versionDir;
    paths.lerobot = await writeLeRobotFixture(join(root, "lerobot"), episodes);
    paths.parquet = await writeParquetFixture(join(root, "vqa.parquet"), entries);
  });

  it.each(["rlds", "lerobot"])("gives %s action and state statistics equal to computeStats over the episodes", async (key) => {
    const run = await cli("stats", paths[key] as string);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as DatasetStatsReport;
    const direct = await computeStats(episodes);
    const steps = episodes.reduce((n, e) => n + e.length, 0);
    expect(report).toMatchObject({ format: "cotrain.dataset-stats/1", rows: steps, kinds: { robot: steps }, vqa: null });
    expect(report.robot!.numTrajectories).toBe(episodes.length);
    expect(report.robot!.numTransitions).toBe(steps);
    for (const feature of ["action", "state"] as const) {
      for (const key of ["mean", "std", "min", "max", "q01", "q99"] as const) {
        report.robot![feature]![key].forEach((v, d) => expect(v).toBeCloseTo(direct[feature]![key][d]!, 6));
      }
    }
  });

  it("gives VQA counts, turns, text lengths and images per entry", async () => {
    const out = join(root, "vqa-stats.json");
    const run = await cli("stats", paths.parquet as string, "--out", out);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`wrote ${out}`);
    const report = JSON.parse(readFileSync(out, "utf8")) as DatasetStatsReport;
    expect(report.robot).toBeNull();
    const v = report.vqa!;
    const turns = entries.map((e) => e.conversations.length);
    const answerChars = entries.map((e) => e.conversations.filter((t) => t.from === "gpt").reduce((n, t) => n + t.value.length, 0));
    const withImage = entries.filter((e) => e.images.length > 0).length;
    expect(v.entries).toBe(entries.length);
    expect(v.textOnly).toBe(entries.length - withImage);
    expect(v.imagesPerEntry).toEqual({ "0": entries.length - withImage, "1": withImage });
    expect(v.turns).toMatchObject({ min: Math.min(...turns), max: Math.max(...turns), mean: turns.reduce((a, b) => a + b, 0) / turns.length });
    expect(v.assistantChars).toMatchObject({ min: Math.min(...answerChars), max: Math.max(...answerChars) });
    expect(v.roles).toEqual({ user: turns.reduce((a, b) => a + b, 0) / 2, assistant: turns.reduce((a, b) => a + b, 0) / 2 });
    expect(v.imageBytes!.count).toBe(withImage);
  });
});
