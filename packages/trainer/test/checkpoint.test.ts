import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "@cotrain/core";
import { selectBackend, tf, VlaModel, AdamW, prepareBatch, trainStep, saveCheckpoint, loadModel, loadOptimizer, readTrainerState, listCheckpoints, latestCheckpoint, assignWeights, readModelWeights } from "@cotrain/trainer";
import type { TrainerState } from "@cotrain/trainer";
import { TINY_MODEL, toyBatch } from "./fixtures.js";

const state = (step: number): TrainerState => ({ step, epoch: 0, samples: step * 4, source: { offset: step }, collator: { epoch: 0 }, rng: [1, 2, 3, 4] });

describe("checkpoints", () => {
  it("round-trip weights, optimizer moments and state exactly, in the tfjs weights-manifest format", async () => {
    await selectBackend("wasm", { log: null });
    const model = VlaModel.create(TINY_MODEL, 1);
    const opt = new AdamW();
    const p = prepareBatch(toyBatch(Rng.from(1), 4), model.config);
    trainStep(model, opt, p, { lambda: 1, actionLoss: "mse", trainable: model.trainableNames(), lr: 1e-3, clipNorm: 1 });
    const root = mkdtempSync(join(tmpdir(), "cotrain-ckpt-"));
    const path = await saveCheckpoint(root, { model, optimizer: opt, state: state(1) });
    const manifest = JSON.parse(readFileSync(join(path, "model.json"), "utf8"));
    expect(manifest.format).toBe("cotrain-vla");
    expect(manifest.weightsManifest[0].paths).toEqual(["weights.bin"]);
    expect(manifest.weightsManifest[0].weights[0]).toEqual({ name: "patch/kernel", shape: [192, 16], dtype: "float32" });
    expect(readFileSync(join(path, "weights.bin")).length).toBe(model.numParams() * 4);

    const loaded = await loadModel(path);
    const opt2 = new AdamW();
    await loadOptimizer(path, opt2, loaded);
    expect(opt2.step).toBe(1);
    const m1 = new Map(opt.namedMoments().map((m) => [m.name, Array.from(m.tensor.dataSync())]));
    for (const m of opt2.namedMoments()) expect(Array.from(m.tensor.dataSync()), m.name).toEqual(m1.get(m.name));
    expect(await readTrainerState(path)).toEqual(state(1));
    // The next step from the loaded copy equals the next step from the original.
    const p2 = prepareBatch(toyBatch(Rng.from(2), 4), model.config);
    const a = trainStep(model, opt, p2, { lambda: 1, actionLoss: "mse", trainable: model.trainableNames(), lr: 1e-3, clipNorm: 1 });
    const b = trainStep(loaded, opt2, p2, { lambda: 1, actionLoss: "mse", trainable: loaded.trainableNames(), lr: 1e-3, clipNorm: 1 });
    expect(b).toEqual(a);
    [model, loaded, opt, opt2].forEach((x) => x.dispose());
  });

  it("ignores temporary directories and finds the latest complete checkpoint", async () => {
    await selectBackend("wasm", { log: null });
    const root = mkdtempSync(join(tmpdir(), "cotrain-ckpt-"));
    const model = VlaModel.create(TINY_MODEL, 1);
    const opt = new AdamW();
    await saveCheckpoint(root, { model, optimizer: opt, state: state(2) });
    await saveCheckpoint(root, { model, optimizer: opt, state: state(10) });
    mkdirSync(join(root, "step-00000020.tmp-999")); // a crashed writer's leftover
    writeFileSync(join(root, "step-00000020.tmp-999", "model.json"), "{");
    expect(listCheckpoints(root).map((p) => p.slice(root.length + 1))).toEqual(["step-00000002", "step-00000010"]);
    expect(latestCheckpoint(root)).toBe(join(root, "step-00000010"));
    // Saving the same step again replaces it whole.
    await saveCheckpoint(root, { model, optimizer: opt, state: { ...state(10), epoch: 3 } });
    expect((await readTrainerState(join(root, "step-00000010"))).epoch).toBe(3);
    [model, opt].forEach((x) => x.dispose());
  });

  it("loads a partial checkpoint by name and rejects shape mismatches", async () => {
    await selectBackend("wasm", { log: null });
    const root = mkdtempSync(join(tmpdir(), "cotrain-ckpt-"));
    const vlm = VlaModel.create({ ...TINY_MODEL, actionMode: "tokens" }, 1); // no action head: a "pretrained VLM"
    const opt = new AdamW();
    const path = await saveCheckpoint(root, { model: vlm, optimizer: opt, state: state(1) });
    const { weights } = await readModelWeights(path);
    const vla = VlaModel.create(TINY_MODEL, 2);
    const report = assignWeights(vla, weights, false);
    expect(report.missing.sort()).toEqual(["action/fc1/bias", "action/fc1/kernel", "action/fc2/bias", "action/fc2/kernel"]);
    expect(report.unexpected).toEqual([]);
    expect(() => assignWeights(vla, weights, true)).toThrow(/missing action\/fc1/);
    const wide = VlaModel.create({ ...TINY_MODEL, dim: 32 }, 2);
    expect(() => assignWeights(wide, weights, false)).toThrow(/patch\/kernel has shape \[192,16\] but the model's is \[192,32\]/);
    tf.dispose([...weights.values()]);
    [vlm, vla, wide, opt].forEach((x) => x.dispose());
  });
});
