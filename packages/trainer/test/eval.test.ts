import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "@cotrain/core";
import { selectBackend, tf, VlaModel, generate, evaluateText, evaluateActions, answerSpan, prepareBatch, batchTensors, disposeBatchTensors, train, numPatches } from "@cotrain/trainer";
import type { Tensor } from "@cotrain/trainer";
import { makeBatch, TINY_MODEL, TOY, toyBatch, toyCollate, toyRow, toySource } from "./fixtures.js";

const quiet = { progress: "none" as const, handleSigint: false, output: { write: () => true } as unknown as NodeJS.WritableStream };

/** Arg-max next token after `ids` for one row, by a plain forward pass. */
function nextToken(model: VlaModel, pixels: Float32Array, ids: number[]): number {
  const batch = makeBatch([{ kind: "vqa", ids, labels: [], pixels }], TOY);
  const p = prepareBatch(batch, model.config);
  const t = batchTensors(p, model);
  const logits = tf.tidy(() => (model.forward(t.inputs).textLogits as Tensor).dataSync());
  disposeBatchTensors(t);
  const V = model.config.vocabSize;
  const row = Array.from(logits.subarray((ids.length - 1) * V, ids.length * V));
  return row.indexOf(Math.max(...row));
}

describe("evaluation", () => {
  it("generate() decodes greedily, row by row the same as batched", async () => {
    await selectBackend("wasm", { log: null });
    const model = VlaModel.create(TINY_MODEL, 21);
    const rows = [toyRow(Rng.from(1), "vqa"), toyRow(Rng.from(2), "vqa")];
    const prompts = [rows[0]!.ids.slice(0, 3), rows[1]!.ids.slice(0, 2)];
    const pixels = new Float32Array(2 * 16 * 16 * 3);
    pixels.set(rows[0]!.pixels!, 0);
    pixels.set(rows[1]!.pixels!, 16 * 16 * 3);
    const before = tf.memory().numTensors;
    const out = generate(model, { pixels, pixelShape: [2, 16, 16, 3], prompts }, { maxNewTokens: [3, 4] });
    expect(tf.memory().numTensors).toBe(before);
    expect(out.map((o) => o.length)).toEqual([3, 4]);
    rows.forEach((row, b) => {
      const ids = [...prompts[b]!];
      for (const token of out[b]!) {
        expect(token).toBe(nextToken(model, row.pixels!, ids));
        ids.push(token);
      }
    });
    // A stop id ends a row early (the stop token is kept).
    const stopped = generate(model, { pixels, pixelShape: [2, 16, 16, 3], prompts }, { maxNewTokens: 4, stopIds: [out[1]![0]!] });
    expect(stopped[1]).toEqual([out[1]![0]]);
    model.dispose();
  });

  it("finds the first answer span after the prompt", () => {
    const batch = makeBatch([{ kind: "vqa", ids: [1, 6, 7, 12, 2, 5, 9], labels: [-100, -100, -100, 12, 2, -100, 9] }], TOY);
    expect(answerSpan(batch, 0)).toEqual({ prompt: [1, 6, 7], answer: [12, 2] });
    expect(answerSpan(makeBatch([{ kind: "robot", ids: [1, 3], labels: [] }], TOY), 0)).toBeNull();
  });

  it("computes action MSE over masked-in entries exactly as the model predicts them", async () => {
    await selectBackend("wasm", { log: null });
    const model = VlaModel.create(TINY_MODEL, 4);
    const batch = toyBatch(Rng.from(8), 6, 0.5);
    const r = await evaluateActions(model, [batch]);
    const p = prepareBatch(batch, model.config);
    const t = batchTensors(p, model);
    const pred = tf.tidy(() => (model.forward(t.inputs).actions as Tensor).dataSync());
    disposeBatchTensors(t);
    let sq = 0;
    let n = 0;
    for (let b = 0; b < batch.size; b++) {
      if (batch.actionMask[b] === 0) continue;
      for (let d = 0; d < 3; d++) {
        sq += ((pred[b * 3 + d] as number) - (batch.actions[b * 3 + d] as number)) ** 2;
        n++;
      }
    }
    expect(r.rows).toBe(3);
    expect(r.entries).toBe(9);
    expect(r.mse).toBeCloseTo(sq / n, 5);
    expect(r.tokenAccuracy).toBeNull();
    model.dispose();
  });

  it("measures VQA exact match before and after training (the co-training demo's number)", async () => {
    await selectBackend("wasm", { log: null });
    const heldOut = [toyBatch(Rng.from(500), 16, 0)];
    const fresh = VlaModel.create(TINY_MODEL, 0);
    const before = await evaluateText(fresh, heldOut);
    fresh.dispose();
    const dir = mkdtempSync(join(tmpdir(), "cotrain-eval-"));
    const result = await train({ runDir: dir, source: toySource(), collate: toyCollate, steps: 60, model: TINY_MODEL, optimizer: { lr: 1e-2, warmupSteps: 3 }, backend: "wasm", ...quiet });
    const after = await evaluateText(result.model, heldOut);
    expect(before.answered).toBe(16);
    expect(before.exactMatch).toBeLessThan(0.3);
    expect(after.exactMatch).toBeGreaterThan(0.7);
    expect(after.loss!).toBeLessThan(before.loss!);
    expect(numPatches(result.model.config)).toBe(4);
    result.model.dispose();
  });
});
