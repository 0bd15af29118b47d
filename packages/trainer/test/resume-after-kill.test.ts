import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { batchToRows, collect } from "@cotrain/core";
import { SAMPLE_LOG_NAME, readSampleLog, train } from "@cotrain/trainer";
import type { TrainConfig } from "@cotrain/trainer";
import { TINY_MODEL, toyCollate, toySource } from "./fixtures.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-samples-"));
const quiet = { progress: "none" as const, handleSigint: false, output: { write: () => true } as unknown as NodeJS.WritableStream };

function config(runDir: string, extra: Partial<TrainConfig> = {}): TrainConfig {
  return { runDir, source: toySource(), collate: toyCollate, steps: 10, model: TINY_MODEL, backend: "wasm", optimizer: { lr: 3e-3, warmupSteps: 3 }, logSampleIds: true, checkpointEvery: 2, ...quiet, ...extra };
}

describe("samples.jsonl (logSampleIds)", () => {
  it("records, per step, the source and sample_id of every row in batch order, across epochs", async () => {
    const dir = tmp();
    // 64 rows in batches of 8: 10 steps run through one epoch and into the next.
    (await train(config(dir))).model.dispose();
    const lines = readSampleLog(join(dir, SAMPLE_LOG_NAME));
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(lines.map((l) => l.epoch)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
    const epoch0 = (await collect(toySource())).flatMap(batchToRows);
    expect(lines.slice(0, 8).flatMap((l) => l.ids)).toEqual(epoch0.map((r) => r.sample_id));
    expect(lines.slice(0, 8).flatMap((l) => l.sources)).toEqual(epoch0.map((r) => r.source));
    expect(new Set(lines.slice(8).flatMap((l) => l.ids)).size).toBe(16);
  });

  it("after a resume reads byte for byte as the uninterrupted run's, whatever the killed run had appended", async () => {
    const full = tmp();
    (await train(config(full))).model.dispose();
    const split = tmp();
    const abort = new AbortController();
    (await train(config(split, { signal: abort.signal, onStep: (m) => m.step === 5 && abort.abort() }))).model.dispose();
    // A killed run leaves lines of steps after its last checkpoint (5) and maybe half a line.
    const log = join(split, SAMPLE_LOG_NAME);
    appendFileSync(log, `${JSON.stringify({ step: 6, epoch: 0, sources: ["x"], ids: ["not consumed"] })}\n{"step":7,"epo`);
    (await train(config(split, { resume: true }))).model.dispose();
    expect(readFileSync(log, "utf8")).toBe(readFileSync(join(full, SAMPLE_LOG_NAME), "utf8"));
    expect(existsSync(`${log}.tmp-${process.pid}`)).toBe(false);
  });

  it("is not written unless asked for", async () => {
    const dir = tmp();
    (await train(config(dir, { steps: 2, logSampleIds: false }))).model.dispose();
    expect(existsSync(join(dir, SAMPLE_LOG_NAME))).toBe(false);
  });
});

describe("checkpoints a killed save left behind", () => {
  it("are cleared at the next start: a half-written folder removed, a checkpoint moved aside put back", async () => {
    const dir = tmp();
    (await train(config(dir, { steps: 4, logSampleIds: false }))).model.dispose();
    const root = join(dir, "checkpoints");
    expect(readdirSync(root)).toEqual(["step-00000002", "step-00000004"]);
    // Killed mid-save of step 6 (its temporary folder), and earlier between moving step 4 aside and renaming its
    // replacement into place.
    mkdirSync(join(root, "step-00000006.tmp-999999"));
    writeFileSync(join(root, "step-00000006.tmp-999999", "model.json"), "{");
    renameSync(join(root, "step-00000004"), join(root, "step-00000004.old-999999"));
    (await train(config(dir, { steps: 6, logSampleIds: false, resume: true }))).model.dispose();
    const run = JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as { resumedFrom: string };
    expect(run.resumedFrom).toBe(join(root, "step-00000004"));
    expect(readdirSync(root)).toEqual(["step-00000002", "step-00000004", "step-00000006"]);
  });
});
