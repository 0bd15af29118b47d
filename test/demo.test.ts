import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromiumOrSkip, loadInChromium } from "@cotrain/test-utils";

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
    expect(stdout).toMatch(/\| arm\s+\| action MSE\s+\| VQA acc before\s+\| VQA acc after\s+\| drop/);
    expect(stdout).toMatch(/\| robot only\s+\|/);
    expect(stdout).toMatch(/\| co-train 1:1\s+\|/);

    for (const file of ["report.html", "results.json", "action-loss.png", "text-loss.png", "vqa-accuracy.png", "mixture.png"]) {
      expect(existsSync(join(out, file)), file).toBe(true);
      expect(statSync(join(out, file)).size, file).toBeGreaterThan(200);
    }
    const png = readFileSync(join(out, "vqa-accuracy.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    const html = readFileSync(join(out, "report.html"), "utf8");
    for (const img of ["action-loss.png", "text-loss.png", "vqa-accuracy.png", "mixture.png"]) expect(html).toContain(`src="${img}"`);

    const result = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      before: Record<string, number | null>;
      arms: { name: string; webShare: number; runDir: string; measures: Record<string, number | null> }[];
    };
    expect(result.arms.map((a) => a.webShare)).toEqual([0, 0.5]);
    for (const arm of result.arms) {
      expect(Number.isFinite(arm.measures.actionMse)).toBe(true);
      expect(arm.measures.vqaAccuracy).toBeGreaterThanOrEqual(0);
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
    expect(page.images.map((i) => i.src)).toEqual(["action-loss.png", "text-loss.png", "vqa-accuracy.png", "mixture.png"]);
    for (const image of page.images) expect(image.complete && image.width > 0 && image.height > 0, image.src).toBe(true);
  });
});
