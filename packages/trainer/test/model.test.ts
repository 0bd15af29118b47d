import { describe, expect, it } from "vitest";
import { Rng } from "@cotrain/core";
import { selectBackend, tf, VlaModel, prepareBatch, batchTensors, disposeBatchTensors, resolveModelConfig, paramSpecs } from "@cotrain/trainer";
import type { Tensor } from "@cotrain/trainer";
import { makeBatch, TINY_MODEL, TOY, toyBatch, toyRow } from "./fixtures.js";
import type { RowSpec } from "./fixtures.js";

function logitsOf(model: VlaModel, rows: RowSpec[]): { text: Float32Array; actions: Float32Array } {
  const p = prepareBatch(makeBatch(rows, TOY), model.config);
  const t = batchTensors(p, model);
  try {
    return tf.tidy(() => {
      const out = model.forward(t.inputs);
      return { text: (out.textLogits as Tensor).dataSync() as Float32Array, actions: (out.actions as Tensor).dataSync() as Float32Array };
    });
  } finally {
    disposeBatchTensors(t);
  }
}

describe("VlaModel", () => {
  it("computes the same outputs on wasm and cpu (no backend-specific kernel quirks)", async () => {
    const rows = [toyRow(Rng.from(1), "vqa"), toyRow(Rng.from(2), "robot")];
    await selectBackend("cpu", { log: null });
    const cpuModel = VlaModel.create(TINY_MODEL, 3);
    const onCpu = logitsOf(cpuModel, rows);
    cpuModel.dispose();
    await selectBackend("wasm", { log: null });
    const wasmModel = VlaModel.create(TINY_MODEL, 3);
    const onWasm = logitsOf(wasmModel, rows);
    wasmModel.dispose();
    expect(onWasm.text.length).toBe(onCpu.text.length);
    onCpu.text.forEach((v, i) => expect(onWasm.text[i]).toBeCloseTo(v, 4));
    onCpu.actions.forEach((v, i) => expect(onWasm.actions[i]).toBeCloseTo(v, 4));
  });

  it("is causal over text: a later token does not change earlier logits", async () => {
    await selectBackend("wasm", { log: null });
    const model = VlaModel.create(TINY_MODEL, 3);
    const row = toyRow(Rng.from(1), "vqa");
    const a = logitsOf(model, [row]);
    const b = logitsOf(model, [{ ...row, ids: [...row.ids.slice(0, 3), 9, 9] }]);
    const V = TINY_MODEL.vocabSize;
    expect(Array.from(b.text.subarray(0, 3 * V))).toEqual(Array.from(a.text.subarray(0, 3 * V)));
    expect(Array.from(b.text.subarray(3 * V, 4 * V))).not.toEqual(Array.from(a.text.subarray(3 * V, 4 * V)));
    model.dispose();
  });

  it("ignores padding, sees the image, and ignores it when the row has none", async () => {
    await selectBackend("wasm", { log: null });
    const model = VlaModel.create(TINY_MODEL, 3);
    const row = toyRow(Rng.from(1), "vqa");
    const V = TINY_MODEL.vocabSize;
    const n = row.ids.length;
    const base = logitsOf(model, [row]).text.subarray(0, n * V);
    // Another row of different length in the batch pads this one differently; its real positions must not move.
    const padded = logitsOf(model, [row, { ...row, ids: [1, 2, 3, 4, 5, 6, 7, 8], labels: [] }]).text.subarray(0, n * V);
    base.forEach((v, i) => expect(padded[i]).toBeCloseTo(v, 5));
    const otherImage = logitsOf(model, [{ ...row, pixels: toyRow(Rng.from(99), "vqa").pixels }]).text.subarray(0, n * V);
    expect(Array.from(otherImage)).not.toEqual(Array.from(base));
    // With hasImage 0 the text no longer reads the pixels: changing them changes nothing.
    const noImage = (pixels: Float32Array | undefined): Float32Array => {
      const b = makeBatch([{ ...row, pixels }], TOY);
      b.hasImage[0] = 0;
      const p = prepareBatch(b, model.config);
      const t = batchTensors(p, model);
      const out = tf.tidy(() => (model.forward(t.inputs).textLogits as Tensor).dataSync() as Float32Array);
      disposeBatchTensors(t);
      return out;
    };
    expect(Array.from(noImage(row.pixels))).toEqual(Array.from(noImage(toyRow(Rng.from(99), "vqa").pixels)));
    model.dispose();
  });

  it("initializes the same weights from the same seed and names every parameter", async () => {
    await selectBackend("wasm", { log: null });
    const a = VlaModel.create(TINY_MODEL, 8);
    const b = VlaModel.create(TINY_MODEL, 8);
    for (const [name, v] of a.params) expect(Array.from(v.dataSync()), name).toEqual(Array.from(b.params.get(name)!.dataSync()));
    expect([...a.params.keys()]).toEqual(paramSpecs(a.config).map((s) => s.name));
    expect(a.trainableNames(["block0", "patch"]).some((n) => n.startsWith("block0/") || n.startsWith("patch/"))).toBe(false);
    expect(a.trainableNames(["block0"])).toContain("token_embed");
    a.dispose();
    b.dispose();
  });

  it("rejects inconsistent sizes and batches that do not fit, naming the option", () => {
    expect(() => resolveModelConfig({ ...TINY_MODEL, patchSize: 5 })).toThrow(/imageSize.*patchSize/);
    expect(() => resolveModelConfig({ ...TINY_MODEL, dim: 18, heads: 4 })).toThrow(/model.dim/);
    expect(() => resolveModelConfig({ ...TINY_MODEL, vocabSize: 0 })).toThrow(/vocabSize/);
    const config = resolveModelConfig({ ...TINY_MODEL, vocabSize: 8 });
    expect(() => prepareBatch(toyBatch(Rng.from(1), 2), config)).toThrow(/outside the model vocabulary/);
    expect(() => prepareBatch(toyBatch(Rng.from(1), 2), resolveModelConfig({ ...TINY_MODEL, imageSize: [32, 32] }))).toThrow(/model expects 32×32×3/);
    expect(() => prepareBatch(toyBatch(Rng.from(1), 2), resolveModelConfig({ ...TINY_MODEL, maxTextLen: 4 }))).toThrow(/maxTextLen/);
  });
});

describe("the default model on wasm", () => {
  it("trains: one step of the default sizes (64×64, patch 8, width 96, 2 blocks) updates every parameter", async () => {
    const { AdamW, trainStep, DEFAULT_MODEL } = await import("@cotrain/trainer");
    await selectBackend("wasm", { log: null });
    const model = VlaModel.create({ vocabSize: 64 }, 1);
    expect(model.config).toMatchObject({ ...DEFAULT_MODEL, vocabSize: 64 });
    const rng = Rng.from(3);
    const rows: RowSpec[] = Array.from({ length: 4 }, (_, i) => ({
      ...(i % 2 ? { kind: "vqa" as const, ids: [1, 5, 6, 40, 2], labels: [-100, -100, -100, 40, 2] } : { kind: "robot" as const, ids: [1, 3, 4], labels: [], action: Array.from({ length: 7 }, () => rng.normal()) }),
      pixels: Float32Array.from({ length: 64 * 64 * 3 }, () => rng.float()),
    }));
    const batch = makeBatch(rows, { image: [64, 64, 3], seqLen: 8, actionDim: 7, horizon: 1, vocabSize: 64 });
    const before = new Map([...model.params].map(([n, v]) => [n, Array.from(v.dataSync())]));
    const opt = new AdamW();
    const r = trainStep(model, opt, prepareBatch(batch, model.config), { lambda: 1, actionLoss: "mse", trainable: model.trainableNames(), lr: 1e-3, clipNorm: 1 });
    expect(Number.isFinite(r.loss) && r.actionLoss > 0 && r.textLoss > 0).toBe(true);
    // Every parameter moved (Adam's first step moves each entry with a nonzero gradient by ~lr).
    for (const [name, v] of model.params) expect(Array.from(v.dataSync()), name).not.toEqual(before.get(name));
    opt.dispose();
    model.dispose();
  });
});
