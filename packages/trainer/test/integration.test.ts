import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromRows, shuffle, Rng } from "@cotrain/core";
import type { RowInput } from "@cotrain/core";
import { createCollator, createCollatorPool, ActionTokenizer, createByteTokenizer } from "@cotrain/collator";
import { mix } from "@cotrain/mixer";
import { train, readMetrics, evaluateText, collated } from "@cotrain/trainer";
import type { TrainConfig } from "@cotrain/trainer";
import type { StepMetrics } from "@cotrain/trainer";
import { encodePng } from "./png.js";

const COLORS: Record<string, [number, number, number]> = { red: [230, 20, 20], green: [20, 200, 40], blue: [30, 40, 220] };
const quiet = { progress: "none" as const, handleSigint: false, output: { write: () => true } as unknown as NodeJS.WritableStream };

/** Canonical rows with real PNG images: robot rows act by color, web rows name the color. */
function rows(count: number, seed: number): RowInput[] {
  const rng = Rng.from(seed);
  const names = Object.keys(COLORS);
  return Array.from({ length: count }, (_, i) => {
    const name = names[rng.int(names.length)] as string;
    const rgb = new Uint8Array(16 * 16 * 3);
    for (let p = 0; p < 256; p++) rgb.set(COLORS[name]!.map((v) => Math.max(0, Math.min(255, v + rng.int(21) - 10))), p * 3);
    const image = encodePng(rgb, 16, 16);
    if (i % 2 === 0) {
      const action = [name === "red" ? 0.8 : -0.8, name === "green" ? 0.8 : -0.8, name === "blue" ? 0.8 : -0.8];
      return { source: "robot", kind: "robot", sample_id: `r${seed}-${i}`, images: [image], cameras: ["main"], messages: [{ role: "user", content: "go" }], action } as RowInput;
    }
    return { source: "web", kind: "vqa", sample_id: `w${seed}-${i}`, images: [image], cameras: ["image"], messages: [{ role: "user", content: "color?" }, { role: "assistant", content: name }] } as RowInput;
  });
}

describe("with the real collator", () => {
  it("trains on continuous actions and text from canonical rows with PNG images", async () => {
    const collate = createCollator({ tokenizer: "byte", template: "plain", actions: { type: "continuous", dim: 3 }, image: { size: 16 }, maxLength: 16, padding: "max" });
    const dir = mkdtempSync(join(tmpdir(), "cotrain-int-"));
    const source = shuffle(fromRows(rows(48, 1), { batchSize: 8 }), { bufferSize: 24, seed: 2, batchSize: 8 });
    const result = await train({ runDir: dir, source, collate, steps: 30, backend: "wasm", model: { patchSize: 8, dim: 32, layers: 1, heads: 2, mlpRatio: 2, actionHidden: 32, maxTextLen: 16 }, optimizer: { lr: 1e-2, warmupSteps: 3 }, ...quiet });
    expect(result.model.config).toMatchObject({ vocabSize: collate.vocabSize, imageSize: [16, 16], channels: 3, actionDim: 3, actionHorizon: 1, actionMode: "continuous" });
    const lines = readMetrics(join(dir, "metrics.jsonl")).filter((l): l is StepMetrics => l.type === "train");
    const avg = (xs: StepMetrics[], k: "actionLoss" | "textLoss"): number => xs.reduce((s, l) => s + l[k], 0) / xs.length;
    expect(avg(lines.slice(-5), "actionLoss")).toBeLessThan(0.5 * avg(lines.slice(0, 5), "actionLoss"));
    expect(avg(lines.slice(-5), "textLoss")).toBeLessThan(0.6 * avg(lines.slice(0, 5), "textLoss"));
    expect(lines[0]!.sourceShares).toEqual({ robot: expect.any(Number), web: expect.any(Number) });
    const heldOut = await evaluateText(result.model, collated(fromRows(rows(8, 99).filter((r) => r.kind === "vqa"), { batchSize: 4 }), collate));
    expect(heldOut.answered).toBe(4);
    expect(heldOut.perplexity).toBeGreaterThan(1);
    result.model.dispose();
  });

  it("trains tokens mode: the text head predicts the collator's action tokens", async () => {
    const tokenizer = createByteTokenizer();
    const actionTokenizer = ActionTokenizer.uniform({ vocabSize: tokenizer.vocabSize, dim: 3, bins: 16 });
    const collate = createCollator({ tokenizer, template: "plain", actions: { type: "tokens", tokenizer: actionTokenizer }, image: { size: 16 }, maxLength: 16, padding: "max" });
    const dir = mkdtempSync(join(tmpdir(), "cotrain-int-"));
    const evalSet = { source: fromRows(rows(8, 77), { batchSize: 8 }) };
    const result = await train({ runDir: dir, source: fromRows(rows(32, 3), { batchSize: 8 }), collate, steps: 12, backend: "wasm", model: { dim: 32, layers: 1, heads: 2, mlpRatio: 2, maxTextLen: 16 }, optimizer: { lr: 1e-2, warmupSteps: 2 }, evaluation: { every: 12, robot: evalSet, vqa: evalSet }, ...quiet });
    expect(result.model.config.actionMode).toBe("tokens");
    expect(result.model.params.has("action/fc1/kernel")).toBe(false);
    const first = readMetrics(join(dir, "metrics.jsonl")).find((l): l is StepMetrics => l.type === "train")!;
    expect(first.actionEntries).toBe(first.actionRows * 3);
    const ev = result.evals.at(-1)!;
    expect(ev.robot!.actionTokenAccuracy).toBeGreaterThanOrEqual(0);
    expect(ev.robot!.actionMse).toBeNull();
    expect(ev.vqa!.answered).toBe(4);
    result.model.dispose();
  });
});

describe("with the real mixer and collator", () => {
  const collatorOptions = { tokenizer: "byte", template: "plain", actions: { type: "continuous", dim: 3 }, image: { size: 16 }, maxLength: 16, padding: "max" } as const;
  const collate = createCollator(collatorOptions);
  const all = rows(40, 11);
  const makeMixer = () =>
    mix({
      sources: { robot: fromRows(all.filter((r) => r.kind === "robot"), { batchSize: 4 }), web: fromRows(all.filter((r) => r.kind === "vqa"), { batchSize: 4 }) },
      weights: { robot: 1, web: 3 },
      batchSize: 8,
      seed: 5,
      stop: "all_exhausted",
    });
  const base = (runDir: string, extra: Partial<TrainConfig> = {}): TrainConfig => ({ runDir, source: makeMixer(), collate, steps: 8, backend: "wasm", model: { dim: 16, layers: 1, heads: 2, mlpRatio: 2, actionHidden: 16, maxTextLen: 16, dropout: 0.1 }, optimizer: { lr: 5e-3, warmupSteps: 2 }, ...quiet, ...extra });
  const trainLines = (dir: string) => readMetrics(join(dir, "metrics.jsonl")).filter((l): l is StepMetrics => l.type === "train");

  it("logs the mixer's per-source accounting and resumes mid-run with the same batches and losses", async () => {
    const full = mkdtempSync(join(tmpdir(), "cotrain-mix-"));
    (await train(base(full))).model.dispose();
    const split = mkdtempSync(join(tmpdir(), "cotrain-mix-"));
    const abort = new AbortController();
    (await train(base(split, { signal: abort.signal, onStep: (m) => m.step === 3 && abort.abort() }))).model.dispose();
    const resumed = await train(base(split, { resume: true }));
    expect(resumed.step).toBe(8);
    resumed.model.dispose();
    const a = trainLines(full);
    const b = trainLines(split);
    expect(a).toHaveLength(8);
    expect(a.every((l) => l.sourceShares.robot === 0.25 && l.sourceShares.web === 0.75)).toBe(true);
    const stats = a.at(-1)!.sourceStats as { sources: Record<string, { delivered: number }> };
    expect(stats.sources.robot!.delivered).toBe(16);
    expect(stats.sources.web!.delivered).toBe(48);
    expect(b.map((l) => l.step)).toEqual(a.map((l) => l.step));
    a.forEach((l, i) => {
      expect(b[i]!.loss, `step ${l.step}`).toBeCloseTo(l.loss, 5);
      expect(b[i]!.sourceStats).toEqual(l.sourceStats);
    });
  });

  it("trains the same with a worker pool collating ahead, and resumes mid-run with the pool on", async () => {
    const full = mkdtempSync(join(tmpdir(), "cotrain-mix-"));
    (await train(base(full))).model.dispose();
    const split = mkdtempSync(join(tmpdir(), "cotrain-pool-"));
    const abort = new AbortController();
    const first = createCollatorPool({ ...collatorOptions, workers: 2 });
    (await train(base(split, { collate: first, signal: abort.signal, onStep: (m) => m.step === 5 && abort.abort() }))).model.dispose();
    await first.close();
    const second = createCollatorPool({ ...collatorOptions, workers: 2 });
    (await train(base(split, { collate: second, resume: true }))).model.dispose();
    await second.close();
    const a = trainLines(full);
    const b = trainLines(split);
    expect(b.map((l) => l.step)).toEqual(a.map((l) => l.step));
    a.forEach((l, i) => {
      expect(b[i]!.loss, `step ${l.step}`).toBeCloseTo(l.loss, 5);
      expect(b[i]!.sourceStats).toEqual(l.sourceStats);
      expect(b[i]!.dataWaitShare).toBeGreaterThanOrEqual(0);
      expect(b[i]!.dataWaitShare).toBeLessThanOrEqual(1);
    });
  });
});
