import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromiumOrSkip, loadInChromium } from "@cotrain/test-utils";
import { runDemo } from "@cotrain/cli";
import type { DemoResult } from "@cotrain/cli";

const bin = fileURLToPath(new URL("../packages/cli/dist/bin.js", import.meta.url));
const run = promisify(execFile);

// The README's main job, at --quick size, through the built binary exactly as a user runs it.
describe("cotrain demo --quick (end to end)", () => {
  const demoOut = mkdtempSync(join(tmpdir(), "cotrain-demo-"));
  it("writes the report, plots and finite metrics, and prints the result table", async () => {
    const out = demoOut;
    const { stdout, stderr } = await run(process.execPath, [bin, "demo", "--quick", "--out", out], { maxBuffer: 64 << 20, env: { ...process.env, CI: "true" } });
    // Progress as plain log lines (CI set): the data generation's count, rate and time, the training's rate and ETA.
    expect(stderr).toMatch(/^ +world: 444\/444 items \(100%\) \| [\d.]+ items\/s \| took \d+s$/m); // 40 + 4 zero-shot episodes, 400 VQA entries
    expect(stderr).toMatch(/^step \d+\/\d+ \| loss .* \| [\d.]+ samples\/s \| data wait \d+% \| ETA \S+$/m);
    expect(stderr).not.toMatch(/\x1b/);
    expect(stdout).toMatch(/\| arm\s+\| action MSE\s+\| success\s+\| zero-shot MSE\s+\| zero-shot success\s+\| VQA acc\s+\| VQA drop\s+\|/);
    for (const arm of ["pretrained (VQA only)", "robot only", "co-train 1:1", "co-train 1:1 tokens"]) expect(stdout).toMatch(new RegExp(`^\\| ${arm.replace(/[()]/g, "\\$&")}\\s+\\| \\d\\.\\d{4}\\s+\\| [01]\\.\\d\\d\\s+\\| \\d\\.\\d{4}\\s+\\| [01]\\.\\d\\d\\s+\\| [01]\\.\\d{3}\\s+\\|`, "m"));
    expect(stdout).toMatch(/^zero-shot success, co-train 1:1 − robot only: [+−]\d\.\d{4}, spread unknown \(one seed; run with --seeds 3\)$/m);

    for (const file of ["report.html", "results.json", "action-loss.png", "text-loss.png", "vqa-accuracy.png", "success.png", "mixture.png"]) {
      expect(existsSync(join(out, file)), file).toBe(true);
      expect(statSync(join(out, file)).size, file).toBeGreaterThan(200);
    }
    const png = readFileSync(join(out, "vqa-accuracy.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    const html = readFileSync(join(out, "report.html"), "utf8");
    for (const img of ["action-loss.png", "text-loss.png", "vqa-accuracy.png", "success.png", "mixture.png"]) expect(html).toContain(`src="${img}"`);
    expect(html).not.toContain("sweep-"); // no sweep asked for

    const result = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as DemoResult;
    expect(result.runs).toHaveLength(1);
    const [run0] = result.runs;
    expect(run0!.arms.map((a) => [a.name, a.webShare, a.actions])).toEqual([
      ["robot only", 0, "continuous"],
      ["co-train 1:1", 0.5, "continuous"],
      ["co-train 1:1 tokens", 0.5, "tokens"],
    ]);
    expect(result.summary.arms.map((a) => a.name)).toEqual(["pretrained (VQA only)", "robot only", "co-train 1:1", "co-train 1:1 tokens"]);
    expect(result.summary.comparisons.length).toBe(6);
    for (const c of result.summary.comparisons) {
      expect(Number.isFinite(c.difference), c.label).toBe(true);
      expect(c.exceedsSpread).toBeNull(); // one seed
    }
    for (const arm of [{ name: "pretrained", measures: run0!.before }, ...run0!.arms]) {
      const m = arm.measures;
      for (const k of ["actionMse", "zeroShotMse", "vqaLoss"] as const) expect(Number.isFinite(m[k]), `${arm.name} ${k}`).toBe(true);
      for (const k of ["actionSuccess", "zeroShotSuccess", "vqaAccuracy"] as const) {
        expect(m[k], `${arm.name} ${k}`).toBeGreaterThanOrEqual(0);
        expect(m[k], `${arm.name} ${k}`).toBeLessThanOrEqual(1);
      }
      // every held-out episode is judged (4 eval and 4 zero-shot episodes at --quick size, all read)
      expect(m.scores.eval).toMatchObject({ episodes: 4 });
      expect(m.scores.zeroshot).toMatchObject({ episodes: 4 });
      expect(m.scores.eval!.judgedSteps).toBeGreaterThan(4);
      expect(m.scores.eval!.successRate).toBe(m.actionSuccess);
    }
    for (const arm of run0!.arms) {
      const lines = readFileSync(join(arm.runDir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      const steps = lines.filter((l) => l.type === "train");
      expect(steps.length).toBeGreaterThan(5);
      for (const s of steps) for (const key of ["loss", "actionLoss", "textLoss", "lr", "stepMs"]) expect(Number.isFinite(s[key] as number), `${arm.name} ${key}`).toBe(true);
      // the mixture the arm asked for is the one its batches had
      const web = steps.reduce((n, s) => n + ((s.sourceShares as Record<string, number>).web ?? 0), 0) / steps.length;
      expect(web).toBeCloseTo(arm.webShare, 5);
    }
    // the data went through the real formats
    expect(existsSync(join(out, "data", "world.json"))).toBe(true);
    expect(existsSync(join(out, "data", "robot", "rlds", "bridge_synth", "1.0.0", "features.json"))).toBe(true);
    expect(existsSync(join(out, "data", "vqa", "llava", "train.json"))).toBe(true);
  }, 600_000);

  it("report.html renders in headless Chromium without console or page errors, every plot decoded", async (ctx) => {
    const chromium = chromiumOrSkip(ctx);
    const page = await loadInChromium(join(demoOut, "report.html"), chromium);
    expect(page.errors).toEqual([]);
    expect(page.images.map((i) => i.src)).toEqual(["vqa-accuracy.png", "success.png", "action-loss.png", "text-loss.png", "mixture.png"]);
    for (const image of page.images) expect(image.complete && image.width > 0 && image.height > 0, image.src).toBe(true);
  });

  // --seeds and --sweep at a size far below --quick (a few steps): the wiring, the per-seed folders and the sweep
  // plots, not the effect. In this process, through the package API the command calls.
  it("--seeds 2 --sweep: one whole experiment per seed, the summary over both, the sweep's plots", async () => {
    const out = mkdtempSync(join(tmpdir(), "cotrain-demo-seeds-"));
    const result = await runDemo({
      out,
      quick: true,
      sweep: true,
      seeds: 2,
      backend: "wasm",
      sizes: { seed: 3, robotEpisodes: 10, vqaEntries: 40, imageSize: 32, batchSize: 8, pretrainSteps: 2, finetuneSteps: 2, evalBatches: 1, model: { dim: 16, layers: 1, heads: 2, patchSize: 8 } },
      log: { write: () => true } as unknown as NodeJS.WritableStream,
    });
    expect(result.runs.map((r) => r.seed)).toEqual([3, 4]);
    for (const r of result.runs) {
      expect(existsSync(join(out, `seed-${r.seed}`, "data", "world.json"))).toBe(true);
      expect(r.arms.map((a) => a.webShare)).toEqual([0, 0.5, 0.5, 0.25, 0.75]);
      for (const a of r.arms) expect(existsSync(join(a.runDir, "metrics.jsonl")), a.runDir).toBe(true);
    }
    // the two seeds' worlds differ (each seed is its own experiment)
    expect(readFileSync(join(out, "seed-3", "data", "world.json"), "utf8")).not.toBe(readFileSync(join(out, "seed-4", "data", "world.json"), "utf8"));
    expect(result.webShares).toEqual([0, 0.25, 0.5, 0.75]);
    expect(result.summary.seeds).toEqual([3, 4]);
    for (const a of result.summary.arms) {
      const mse = a.metrics.actionMse!;
      expect(mse.n).toBe(2);
      expect(mse.min).toBeLessThanOrEqual(mse.mean);
      expect(mse.mean).toBeLessThanOrEqual(mse.max);
    }
    for (const c of result.summary.comparisons) expect(typeof c.exceedsSpread).toBe("boolean");
    expect(result.table).toMatch(/^\| robot only +\| \d\.\d{4} \[\d\.\d{4}–\d\.\d{4}\] +\|/m);
    expect(result.table).toMatch(/the ranges over 2 seeds (do not )?overlap/);
    const html = readFileSync(join(out, "report.html"), "utf8");
    for (const img of ["sweep-vqa.png", "sweep-action.png"]) {
      expect(html).toContain(`src="${img}"`);
      expect(readFileSync(join(out, img)).subarray(1, 4).toString()).toBe("PNG");
    }
    const saved = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as DemoResult;
    expect(saved.runs).toHaveLength(2);
  }, 300_000);
});
