import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MixPreview } from "@cotrain/cli";
import { cli, robotEpisodes, tempDir, vqaEntries, writeJson, writeLlavaFixture, writeRldsFixture } from "./fixtures.js";

describe("cotrain mix", () => {
  const root = tempDir("cotrain-cli-mix-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const base = {
    sources: { bridge: { format: "rlds", path: "data/bridge_dataset" }, web: { path: "data/vqa.json", options: { batchSize: 8 } } },
    mixture: { weights: { bridge: 1, web: 3 }, batchSize: 8, seed: 3, stop: "all_exhausted" },
  };
  const config = (name: string, value: unknown): string => writeJson(join(root, name), value);

  beforeAll(async () => {
    await writeRldsFixture(join(root, "data"), await robotEpisodes(4));
    await writeLlavaFixture(join(root, "data"), await vqaEntries(30));
  });

  it("shows each batch's rows per source and the mixer's per-source accounting", async () => {
    const run = await cli("mix", config("mix.json", base), "--batches", "4", "--json");
    expect(run.code).toBe(0);
    const preview = JSON.parse(run.stdout) as MixPreview;
    expect(preview.batches.map((b) => b.counts)).toEqual(new Array(4).fill({ bridge: 2, web: 6 }));
    expect(preview.inputs.bridge!.format).toBe("rlds");
    expect(preview.inputs.web).toEqual({ format: "llava", path: join(root, "data", "vqa.json") });
    expect(preview.config.weights).toEqual({ bridge: 0.25, web: 0.75 });
    expect(preview.stats.sources.bridge).toMatchObject({ delivered: 8, share: 0.25, targetShare: 0.25 });
    expect(preview.stats.sources.web).toMatchObject({ delivered: 24, share: 0.75, epochs: 0 });
  });

  it("prints the ratio table, and counts epochs of the smaller source (YAML config)", async () => {
    const yaml = join(root, "mix.yaml");
    writeFileSync(
      yaml,
      ["sources:", "  bridge: {format: rlds, path: data/bridge_dataset}", "  web:", "    path: data/vqa.json", "mixture:", "  weights: '1:1'", "  batchSize: 4", "  stop: all_exhausted", ""].join("\n"),
    );
    const run = await cli("mix", yaml, "-b", "100");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/batch\s+rows\s+bridge rows \(share\)\s+web rows \(share\)/);
    expect(run.stdout).toMatch(/\n\s+0\s+4\s+2 \(0\.500\)\s+2 \(0\.500\)/);
    // 15 robot steps against 30 entries: the robot source goes round twice while web goes through once.
    expect(run.stdout).toMatch(/bridge\s+rlds\s+30\s+0\.5\s+0\.5\s+0\.5\s+2/);
    expect(run.stdout).toMatch(/web\s+llava\s+30\s+0\.5\s+0\.5\s+0\.5\s+1\s+0/);
    expect(run.stdout).toContain("stopped: all_exhausted");
  });

  it("follows a weight schedule and reports skips of normalized sources too", async () => {
    const scheduled = {
      sources: { ...base.sources, bridge: { ...base.sources.bridge, normalize: { action: "mean_std" } } },
      mixture: { schedule: [{ step: 0, weights: { bridge: 1, web: 0 } }, { step: 2, weights: "1:1" }], batchSize: 4, stop: { steps: 4 } },
    };
    const run = await cli("mix", config("schedule.json", scheduled), "--json");
    expect(run.code).toBe(0);
    const preview = JSON.parse(run.stdout) as MixPreview;
    expect(preview.batches.map((b) => b.counts)).toEqual([{ bridge: 4, web: 0 }, { bridge: 4, web: 0 }, { bridge: 2, web: 2 }, { bridge: 2, web: 2 }]);
    expect(preview.stats.stopped).toEqual({ reason: "steps" });
    expect(preview.stats.sources.bridge!.skipped).toEqual({});
  });

  const bad: [string, unknown, RegExp][] = [
    ["an unknown key", { ...base, mixture: { ...base.mixture, wieghts: {} } }, /CONFIG_INVALID: .*mix-bad\.json, field "mixture\.wieghts": unknown key "wieghts"/],
    ["an unknown format", { ...base, sources: { ...base.sources, bridge: { format: "tfds", path: "data/bridge_dataset" } } }, /field "sources\.bridge\.format": .*unknown format "tfds"; known formats: rlds, lerobot, shards, llava, parquet-vqa/],
    ["a misspelt reader option", { ...base, sources: { ...base.sources, web: { path: "data/vqa.json", options: { imageroot: "x" } } } }, /field "sources\.web\.options\.imageroot": .*unknown key "imageroot"/],
    ["a bad option value", { ...base, sources: { ...base.sources, bridge: { path: "data/bridge_dataset", options: { preset: "franka" } } } }, /field "sources\.bridge\.options\.preset": .*expected one of "bridge"\|"droid"/],
    ["a missing path", { ...base, sources: { ...base.sources, web: { path: "data/nope.json" } } }, /MissingError INPUT_MISSING: .*data\/nope\.json, field "sources\.web\.path": no such file or folder/],
    ["weights naming no source", { ...base, mixture: { ...base.mixture, weights: { bridge: 1, llava: 1 } } }, /field "mixture\.weights\.llava": .*no source named "llava"/],
    ["weights and a schedule", { ...base, mixture: { ...base.mixture, schedule: [{ step: 0, weights: "1:1" }] } }, /field "mixture\.schedule": .*weights or a schedule, not both/],
    ["a bad stop policy", { ...base, mixture: { ...base.mixture, stop: { samples: "all" } } }, /field "mixture\.stop\.samples": .*expected number/],
    ["a batch too small for its sources (the mixer's own check)", { ...base, mixture: { ...base.mixture, batchSize: 1 } }, /ConfigError MIX_BATCH_SIZE: .*field "mixture\.batchSize"/],
  ];
  it.each(bad)("rejects %s with exit code 1 and a one-line error naming the key", async (_, value, message) => {
    const run = await cli("mix", config("mix-bad.json", value));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("reports a config that is not valid YAML or JSON, and a missing config file", async () => {
    const broken = join(root, "broken.yaml");
    writeFileSync(broken, "sources: [unclosed\n");
    const syntax = await cli("mix", broken);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/ConfigError CONFIG_SYNTAX: .*broken\.yaml: not valid YAML/);
    const missing = await cli("mix", join(root, "none.json"));
    expect(missing.stderr).toMatch(/ConfigError CONFIG_MISSING: .*none\.json: cannot read config/);
  });
});
