import { describe, expect, it } from "vitest";
import { Rng } from "@cotrain/core";
import { ActionTokenizer } from "@cotrain/collator";
import { selectBackend, tf, VlaModel, generate, evaluateActions, predictActions, prepareBatch, batchTensors, disposeBatchTensors } from "@cotrain/trainer";
import type { ActionPredictions, Tensor } from "@cotrain/trainer";
import { makeBatch, TINY_MODEL, TOY, toyBatch, toyRow } from "./fixtures.js";

async function all(gen: AsyncGenerator<ActionPredictions>): Promise<ActionPredictions[]> {
  const out: ActionPredictions[] = [];
  for await (const p of gen) out.push(p);
  return out;
}

describe("predictActions", () => {
  it("continuous: returns the action head's output and the batch's action for exactly the robot rows", async () => {
    await selectBackend("wasm", { log: null });
    const model = VlaModel.create(TINY_MODEL, 4);
    const batch = toyBatch(Rng.from(8), 6, 0.5); // rows 0..2 robot, 3..5 web
    const before = tf.memory().numTensors;
    const [p] = await all(predictActions(model, [batch]));
    expect(tf.memory().numTensors).toBe(before);
    const t = batchTensors(prepareBatch(batch, model.config), model);
    const head = tf.tidy(() => (model.forward(t.inputs).actions as Tensor).dataSync());
    disposeBatchTensors(t);
    expect(p!.width).toBe(3);
    expect(p!.sampleIds).toEqual(batch.sampleIds.slice(0, 3));
    expect(Array.from(p!.predicted)).toEqual(Array.from(head.subarray(0, 9)));
    expect(Array.from(p!.expert)).toEqual(Array.from(batch.actions.subarray(0, 9)));
    expect(Array.from(p!.mask)).toEqual([1, 1, 1]);
    // The same predictions give evaluateActions' MSE.
    let sq = 0;
    for (let i = 0; i < 9; i++) sq += ((p!.predicted[i] as number) - (p!.expert[i] as number)) ** 2;
    expect((await evaluateActions(model, [batch])).mse).toBeCloseTo(sq / 9, 6);
    model.dispose();
  });

  it("tokens: decodes H·D greedy action tokens per robot row into bin centres, never a text id", async () => {
    await selectBackend("wasm", { log: null });
    const model = VlaModel.create({ ...TINY_MODEL, actionMode: "tokens" }, 5);
    const tokenizer = ActionTokenizer.uniform({ vocabSize: TOY.vocabSize, dim: 3, bins: 4 }); // ids 12..15
    const rng = Rng.from(3);
    // Robot rows: prompt [1, 3, 4], then three labeled action tokens; one web row between them.
    const robot = (action: number[]) => {
      const ids = [1, 3, 4, ...Array.from(tokenizer.encode(action))];
      return { ...toyRow(rng, "robot"), ids, labels: [-100, -100, -100, ...ids.slice(3)], action };
    };
    const batch = makeBatch([robot([0.9, -0.9, 0.1]), toyRow(rng, "vqa"), robot([-0.2, 0.4, -0.7])], TOY);
    const [p] = await all(predictActions(model, [batch], { actionTokenizer: tokenizer }));
    expect(p!.sampleIds).toEqual([batch.sampleIds[0], batch.sampleIds[2]]);
    const [, H, W, C] = batch.pixelShape;
    const pixels = new Float32Array(2 * H * W * C);
    pixels.set(batch.pixels.subarray(0, H * W * C), 0);
    pixels.set(batch.pixels.subarray(2 * H * W * C, 3 * H * W * C), H * W * C);
    const ids = generate(model, { pixels, pixelShape: [2, H, W, C], prompts: [[1, 3, 4], [1, 3, 4]] }, { maxNewTokens: 3, allowedIds: { start: 12, end: 16 } });
    for (const id of ids.flat()) expect(id >= 12 && id < 16).toBe(true);
    expect(Array.from(p!.predicted)).toEqual([...tokenizer.decode(ids[0]!), ...tokenizer.decode(ids[1]!)]);
    expect(Array.from(p!.expert)).toEqual([0.9, -0.9, 0.1, -0.2, 0.4, -0.7].map(Math.fround));
    await expect(all(predictActions(model, [batch]))).rejects.toMatchObject({ code: "NO_ACTION_TOKENIZER" });
    model.dispose();
  });

  it("generate's allowedIds picks the arg-max within the range", async () => {
    await selectBackend("wasm", { log: null });
    const model = VlaModel.create(TINY_MODEL, 9);
    const row = toyRow(Rng.from(2), "vqa");
    const request = { pixels: row.pixels!, pixelShape: [1, 16, 16, 3] as [number, number, number, number], prompts: [[1, 3]] };
    const [free] = generate(model, request, { maxNewTokens: 1 });
    // A range that excludes the free choice must give a different id, inside the range.
    const range = free![0]! < 8 ? { start: 8, end: 16 } : { start: 0, end: 8 };
    const [limited] = generate(model, request, { maxNewTokens: 1, allowedIds: range });
    expect(limited![0]! >= range.start && limited![0]! < range.end).toBe(true);
    const batch = makeBatch([{ kind: "vqa", ids: [1, 3], labels: [], pixels: row.pixels! }], TOY);
    const t = batchTensors(prepareBatch(batch, model.config), model);
    const logits = tf.tidy(() => (model.forward(t.inputs).textLogits as Tensor).dataSync());
    disposeBatchTensors(t);
    const V = model.config.vocabSize;
    const within = Array.from(logits.subarray(V + range.start, V + range.end));
    expect(limited![0]).toBe(range.start + within.indexOf(Math.max(...within)));
    expect(() => generate(model, request, { maxNewTokens: 1, allowedIds: { start: 4, end: 40 } })).toThrow(/allowedIds/);
    model.dispose();
  });
});
