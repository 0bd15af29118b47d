import { mkdtempSync, readdirSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "@cotrain/core";
import { train, readMetrics, loadModel, selectBackend, tf } from "@cotrain/trainer";
import type { StepMetrics, EvalMetrics, TrainConfig } from "@cotrain/trainer";
import { TINY_MODEL, toyBatch, toyCollate, toySource } from "./fixtures.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-trainer-"));
const quiet = { progress: "none" as const, handleSigint: false, output: { write: () => true } as unknown as NodeJS.WritableStream };
const trainLines = (dir: string): StepMetrics[] => readMetrics(join(dir, "metrics.jsonl")).filter((l): l is StepMetrics => l.type === "train");
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function config(runDir: string, extra: Partial<TrainConfig> = {}): TrainConfig {
  return { runDir, source: toySource(), collate: toyCollate, steps: 40, model: TINY_MODEL, optimizer: { lr: 3e-3, warmupSteps: 3 }, ...quiet, ...extra };
}

describe.each(["wasm", "cpu"] as const)("train on %s", (backend) => {
  it("lowers both losses on a small mixed dataset and keeps tensor count flat", async () => {
    const dir = tmp();
    const result = await train(config(dir, { backend, optimizer: { lr: 1e-2, warmupSteps: 3 } }));
    expect(result.backend.backend).toBe(backend);
    expect(result.stoppedBy).toBe("steps");
    expect(result.step).toBe(40);
    const lines = trainLines(dir);
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const head = lines.slice(0, 5);
    const tail = lines.slice(-5);
    expect(mean(tail.map((l) => l.actionLoss))).toBeLessThan(0.5 * mean(head.map((l) => l.actionLoss)));
    expect(mean(tail.map((l) => l.textLoss))).toBeLessThan(0.5 * mean(head.map((l) => l.textLoss)));
    // No tensor leaks per step: the count after every step equals the count after the first.
    expect(new Set(lines.map((l) => l.numTensors)).size).toBe(1);
    result.model.dispose();
  });
});

describe("the run", () => {
  it("writes metrics, run metadata and atomic checkpoints", async () => {
    const dir = tmp();
    const result = await train(config(dir, { steps: 6, checkpointEvery: 2, keepCheckpoints: 2, backend: "wasm" }));
    const lines = trainLines(dir);
    const first = lines[0]!;
    expect(first.rows).toBe(8);
    expect(first.actionRows + (first.sourceShares.toy_vqa ?? 0) * 8).toBe(8);
    expect(first.actionEntries).toBe(first.actionRows);
    expect(first.trainedTokens).toBe(2 * (8 - first.actionRows));
    expect(Object.keys(first.sourceShares).sort()).toEqual(["toy_robot", "toy_vqa"]);
    expect(first.lr).toBeCloseTo(3e-3 / 3, 10);
    expect(lines[2]!.lr).toBeCloseTo(3e-3, 10);
    expect(lines[5]!.lr).toBeLessThan(lines[3]!.lr);
    expect(first.dataWaitMs).toBeGreaterThanOrEqual(0);
    expect(first.stepMs).toBeGreaterThan(0);
    const run = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
    expect(run.backend.backend).toBe("wasm");
    expect(run.backend.candidates).toHaveLength(4);
    expect(run.model.dim).toBe(TINY_MODEL.dim);
    const ckpts = readdirSync(join(dir, "checkpoints"));
    expect(ckpts).toEqual(["step-00000004", "step-00000006"]);
    expect(readdirSync(join(dir, "checkpoints", "step-00000006")).sort()).toEqual(["model.json", "optimizer.bin", "optimizer.json", "state.json", "weights.bin"]);
    expect(result.checkpoint).toBe(join(dir, "checkpoints", "step-00000006"));
    const loaded = await loadModel(result.checkpoint!);
    for (const [name, v] of result.model.params) expect(Array.from(loaded.params.get(name)!.dataSync()), name).toEqual(Array.from(v.dataSync()));
    loaded.dispose();
    result.model.dispose();
  });

  it("resumes with the same data order and the same next-step losses as an uninterrupted run", async () => {
    const model = { ...TINY_MODEL, dropout: 0.1 };
    const full = tmp();
    (await train(config(full, { steps: 8, model, backend: "wasm" }))).model.dispose();
    const split = tmp();
    const abort = new AbortController();
    const first = await train(config(split, { steps: 8, model, backend: "wasm", signal: abort.signal, onStep: (m) => m.step === 4 && abort.abort() }));
    expect(first.stoppedBy).toBe("abort");
    expect(first.step).toBe(4);
    first.model.dispose();
    const second = await train(config(split, { steps: 8, model, backend: "wasm", resume: true }));
    expect(second.step).toBe(8);
    second.model.dispose();
    const a = trainLines(full);
    const b = trainLines(split);
    expect(b.map((l) => l.step)).toEqual(a.map((l) => l.step));
    for (let i = 0; i < a.length; i++) {
      expect(b[i]!.sourceShares, `step ${i + 1}`).toEqual(a[i]!.sourceShares);
      expect(b[i]!.loss, `step ${i + 1}`).toBeCloseTo(a[i]!.loss, 5);
      expect(b[i]!.actionLoss).toBeCloseTo(a[i]!.actionLoss, 5);
      expect(b[i]!.textLoss).toBeCloseTo(a[i]!.textLoss, 5);
    }
  });

  it("stops gracefully on SIGINT: finishes the step, writes a checkpoint, removes its handler", async () => {
    const dir = tmp();
    const before = process.listenerCount("SIGINT");
    // A listener of our own keeps vitest's process alive whatever happens; the trainer's handler runs beside it.
    const keepAlive = (): void => undefined;
    process.on("SIGINT", keepAlive);
    try {
      const result = await train(config(dir, { steps: 50, backend: "wasm", handleSigint: true, onStep: (m) => m.step === 3 && process.emit("SIGINT", "SIGINT") }));
      expect(result.stoppedBy).toBe("signal");
      expect(result.step).toBe(3);
      expect(existsSync(join(dir, "checkpoints", "step-00000003", "state.json"))).toBe(true);
      expect(trainLines(dir)).toHaveLength(3);
      result.model.dispose();
    } finally {
      process.removeListener("SIGINT", keepAlive);
    }
    expect(process.listenerCount("SIGINT")).toBe(before);
  });

  it("evaluates held-out robot and VQA data every N steps", async () => {
    const dir = tmp();
    const evals: EvalMetrics[] = [];
    const heldOut = [toyBatch(Rng.from(100), 8, 0.5)];
    const result = await train(config(dir, { steps: 4, backend: "wasm", evaluation: { every: 2, robot: { batches: heldOut }, vqa: { batches: heldOut } }, onEval: (e) => evals.push(e) }));
    expect(evals.map((e) => e.step)).toEqual([2, 4]);
    const last = evals[1]!;
    expect(last.robot!.rows).toBe(4);
    expect(last.robot!.actionMse).toBeGreaterThan(0);
    expect(last.vqa!.answered).toBe(4);
    expect(last.vqa!.exactMatch).toBeGreaterThanOrEqual(0);
    expect(last.vqa!.perplexity).toBeCloseTo(Math.exp(last.vqa!.textLoss!), 6);
    expect(readMetrics(join(dir, "metrics.jsonl")).filter((l) => l.type === "eval")).toHaveLength(2);
    result.model.dispose();
  });

  it("initializes from a checkpoint and keeps frozen parameters fixed", async () => {
    await selectBackend("wasm", { log: null });
    const pre = tmp();
    const pretrained = await train(config(pre, { steps: 3, backend: "wasm" }));
    const dir = tmp();
    const result = await train(config(dir, { steps: 3, backend: "wasm", seed: 9, initFrom: pretrained.checkpoint!, freeze: ["patch", "block0"] }));
    expect(result.init!.loaded).toHaveLength(pretrained.model.params.size);
    for (const [name, v] of result.model.params) {
      const same = tf.tidy(() => tf.max(tf.abs(tf.sub(v, pretrained.model.params.get(name)!))).dataSync()[0]) === 0;
      expect(same, name).toBe(name.startsWith("patch/") || name.startsWith("block0/"));
    }
    await expect(train(config(tmp(), { steps: 1, backend: "wasm", freeze: ["blok0"] }))).rejects.toThrow(/blok0.*matches no parameter/);
    pretrained.model.dispose();
    result.model.dispose();
  });
});
