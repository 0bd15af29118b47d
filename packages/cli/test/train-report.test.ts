import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lineChartSvg, writeRunReport } from "@cotrain/cli";
import { readMetrics } from "@cotrain/trainer";
import type { EvalMetrics, StepMetrics } from "@cotrain/trainer";
import { chromiumOrSkip, loadInChromium } from "@cotrain/test-utils";
import { cli, robotEpisodes, tempDir, vqaEntries, writeJson, writeLlavaFixture, writeRldsFixture } from "./fixtures.js";

describe("cotrain train and cotrain report", () => {
  const root = tempDir("cotrain-cli-train-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const runDir = join(root, "runs", "tiny");
  const config = {
    sources: {
      bridge: { format: "rlds", path: "data/bridge_dataset", options: { batchSize: 4 }, normalize: { action: "q01_q99", keepGripper: true } },
      web: { format: "llava", path: "data/vqa.json", options: { batchSize: 4 } },
    },
    mixture: { weights: { bridge: 1, web: 1 }, batchSize: 4, seed: 1, stop: "all_exhausted" },
    collator: { tokenizer: "byte", template: "openvla", actions: { type: "continuous", dim: 7 }, image: { size: 16 }, maxLength: 80, padding: "max" },
    model: { patchSize: 8, dim: 16, layers: 1, heads: 2, mlpRatio: 2, actionHidden: 16 },
    train: { steps: 50, seed: 0, backend: "wasm", optimizer: { lr: 0.01, warmupSteps: 1 }, progress: "lines", logEvery: 1, checkpointEvery: 2 },
    evaluation: { every: 2, robot: { path: "data/bridge_dataset" }, vqa: { path: "data/vqa.json" }, normalizeAs: "bridge", maxBatches: 1 },
    runDir: "runs/tiny",
  };
  let configPath: string;
  let trained: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    await writeRldsFixture(join(root, "data"), await robotEpisodes(4));
    await writeLlavaFixture(join(root, "data"), await vqaEntries(12));
    configPath = writeJson(join(root, "train.json"), config);
    trained = await cli("train", configPath, "--steps", "4");
  });

  it("trains on the config's mixture and leaves metrics, checkpoints, statistics and the config in the run folder", () => {
    expect(trained.stderr).not.toMatch(/cotrain: /);
    expect(trained.code).toBe(0);
    expect(trained.stdout).toContain("trained 4 steps on wasm (stopped by steps)");
    expect(trained.stdout).toContain(`run folder: ${runDir}`);
    const lines = readMetrics(join(runDir, "metrics.jsonl"));
    const steps = lines.filter((l): l is StepMetrics => l.type === "train");
    const evals = lines.filter((l): l is EvalMetrics => l.type === "eval");
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4]);
    for (const s of steps) {
      expect(Number.isFinite(s.loss) && Number.isFinite(s.actionLoss) && Number.isFinite(s.textLoss)).toBe(true);
      expect(s.sourceShares).toEqual({ bridge: 0.5, web: 0.5 });
      expect(s.trainedTokens).toBeGreaterThan(0); // maxLength leaves room for the web answers
    }
    expect(evals.map((e) => e.step)).toEqual([2, 4]);
    expect(Number.isFinite(Number(evals[1]!.robot!.actionMse))).toBe(true);
    expect(existsSync(join(runDir, "checkpoints", "step-00000004", "model.json"))).toBe(true);
    const stats = JSON.parse(readFileSync(join(runDir, "stats-bridge.json"), "utf8")) as { numTrajectories: number };
    expect(stats.numTrajectories).toBe(4);
    const copy = JSON.parse(readFileSync(join(runDir, "cotrain-config.json"), "utf8")) as { configFile: string; config: { mixture: unknown } };
    expect(copy.configFile).toBe(configPath);
    expect(copy.config.mixture).toEqual(config.mixture);
  });

  it("writes report.html and PNG plots for the run", async () => {
    const run = await cli("report", runDir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`report: ${join(runDir, "report.html")}`);
    const names = ["loss", "learning-rate", "mixture", "eval-robot", "eval-vqa"];
    for (const name of names) {
      const meta = await sharp(join(runDir, "plots", `${name}.png`)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", 640, 360]);
    }
    const html = readFileSync(join(runDir, "report.html"), "utf8");
    for (const name of names) expect(html).toContain(`<img src="plots/${name}.png"`);
    expect(html).toContain("<h2>Evaluations</h2>");
    expect(html).toContain("wasm");
  });

  it("lets a caller add sections and plots (writeRunReport)", async () => {
    const svg = lineChartSvg([{ name: "arm a", points: [[0, 1], [1, 0.5]] }], { title: "extra" });
    const report = await writeRunReport(runDir, { title: "tiny run", extraSections: [{ title: "Arms", html: "<p id='arms'>a vs b</p>" }], extraPlots: [{ name: "arms", title: "Arms", svg }] });
    expect(report.plots).toContain(join(runDir, "plots", "arms.png"));
    const html = readFileSync(report.html, "utf8");
    expect(html).toContain("<title>tiny run</title>");
    expect(html).toContain("<p id='arms'>a vs b</p>");
  });

  it("report.html renders in headless Chromium without console or page errors, every plot decoded", async (ctx) => {
    const chromium = chromiumOrSkip(ctx);
    const page = await loadInChromium(join(runDir, "report.html"), chromium);
    expect(page.errors).toEqual([]);
    expect(page.title).toBe("tiny run");
    expect(page.images.map((i) => i.src)).toEqual(["loss", "learning-rate", "mixture", "eval-robot", "eval-vqa", "arms"].map((n) => `plots/${n}.png`));
    for (const image of page.images) expect(image, image.src).toEqual({ src: image.src, complete: true, width: 640, height: 360 });
  });

  it("refuses a folder without metrics", async () => {
    const empty = join(root, "empty-run");
    mkdirSync(empty);
    const run = await cli("report", empty);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^cotrain: MissingError RUN_NO_METRICS: .*metrics\.jsonl/);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ["no collator", { collator: undefined }, /field "collator": expected object, received undefined/],
    ["an unknown model key", { model: { dimm: 8 } }, /field "model\.dimm": unknown key "dimm"/],
    ["zero steps", { train: { ...config.train, steps: 0 } }, /field "train\.steps": Too small/],
    ["an unknown action type", { collator: { ...config.collator, actions: { type: "bins", dim: 7 } } }, /field "collator\.actions\.type"/],
    ["an unknown evaluation source", { evaluation: { ...config.evaluation, normalizeAs: "droid" } }, /field "evaluation\.normalizeAs": .*no source named "droid"/],
    ["no run folder", { runDir: undefined }, /field "runDir": no run folder: set runDir in the config or pass --out/],
    ["a robot source and no collator.actions", { collator: { ...config.collator, actions: undefined } }, /field "collator\.actions": source "bridge" is robot data \(rlds\) but collator\.actions is not set/],
  ];
  it.each(bad)("rejects a training config with %s, naming the key", async (_, change, message) => {
    const path = writeJson(join(root, "bad-train.json"), { ...config, ...change });
    const run = await cli("train", path);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/^cotrain: ConfigError CONFIG_INVALID: /);
    expect(run.stderr).toMatch(message);
  });
});
