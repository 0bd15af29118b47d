import { describe, expect, it } from "vitest";
import { Rng } from "@cotrain/core";
import { selectBackend, tf, VlaModel, prepareBatch, batchTensors, disposeBatchTensors, batchLosses, maskedActionLoss, maskedCrossEntropy } from "@cotrain/trainer";
import type { Tensor } from "@cotrain/trainer";
import { makeBatch, TINY_MODEL, TOY, toyRow } from "./fixtures.js";

const value = (t: Tensor): number => t.dataSync()[0] as number;

describe.each(["wasm", "cpu"] as const)("masked losses on %s", (backend) => {
  it("average the action error over masked-in entries only (hand-computed)", async () => {
    await selectBackend(backend, { log: null });
    tf.tidy(() => {
      const pred = tf.tensor2d([[1, 2], [3, 5]]);
      const target = tf.tensor2d([[0, 0], [3, 1]]);
      const weights = tf.tensor2d([[1, 1], [0, 0]]); // row 1 is a web row: its error (16) must not count
      expect(value(maskedActionLoss(pred, target, weights, 2, "mse"))).toBeCloseTo((1 + 4) / 2, 6);
      expect(value(maskedActionLoss(pred, target, weights, 2, "l1"))).toBeCloseTo((1 + 2) / 2, 6);
      const none = maskedActionLoss(pred, target, tf.zerosLike(weights), 0, "mse");
      expect(value(none)).toBe(0);
    });
  });

  it("average the text cross-entropy over weighted positions only (hand-computed)", async () => {
    await selectBackend(backend, { log: null });
    tf.tidy(() => {
      const logits = tf.tensor2d([[0, Math.log(3)], [0, 0], [5, -5]]);
      const targets = tf.tensor1d([1, 0, 1], "int32");
      expect(value(maskedCrossEntropy(logits, targets, tf.tensor1d([1, 0, 0]), 1))).toBeCloseTo(-Math.log(0.75), 5);
      expect(value(maskedCrossEntropy(logits, targets, tf.tensor1d([1, 1, 0]), 2))).toBeCloseTo((-Math.log(0.75) + Math.log(2)) / 2, 5);
      const empty = maskedCrossEntropy(logits, targets, tf.tensor1d([0, 0, 0]), 0);
      expect(value(empty)).toBe(0);
    });
  });

  it("shift labels and split the masks the way the collator's contract says", async () => {
    await selectBackend(backend, { log: null });
    const shape = { ...TOY, horizon: 2, actionDim: 3 };
    const batch = makeBatch(
      [
        { kind: "vqa", ids: [1, 6, 7, 12, 2], labels: [-100, -100, -100, 12, 2] },
        { kind: "robot", ids: [1, 3, 4], labels: [-100, -100, -100], action: [1, 2, 3, 4, 5, 6], actionMask: [1, 0] },
      ],
      shape,
    );
    const p = prepareBatch(batch, { ...VlaModel.create({ ...TINY_MODEL, actionHorizon: 2 }).config });
    const T = TOY.seqLen;
    // Row 0: position 2 predicts label 12 and position 3 predicts EOS; nothing else is trained.
    expect(Array.from(p.textWeights.subarray(0, T))).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(p.targets[2]).toBe(12);
    expect(p.targets[3]).toBe(2);
    expect(p.counts.textTokens).toBe(2);
    // Row 1: only the first chunk step is real; its 3 entries count, the padded step's do not.
    expect(Array.from(p.actionWeights.subarray(6, 12))).toEqual([1, 1, 1, 0, 0, 0]);
    expect(Array.from(p.actionWeights.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(p.counts.actionEntries).toBe(1);
    expect(p.counts.actionRows).toBe(1);
  });

  it("give exactly zero action loss and exactly zero action-head gradient on a web-only batch", async () => {
    await selectBackend(backend, { log: null });
    const rng = Rng.from(4);
    const model = VlaModel.create(TINY_MODEL, 2);
    const batch = makeBatch(Array.from({ length: 4 }, () => toyRow(rng, "vqa")), TOY);
    const p = prepareBatch(batch, model.config);
    const t = batchTensors(p, model);
    const vars = [...model.params.values()];
    let terms: { action: number; text: number } = { action: NaN, text: NaN };
    const { value: total, grads } = tf.variableGrads(() => {
      const l = batchLosses(model, p, t, { lambda: 1, actionLoss: "mse" });
      terms = { action: value(l.action), text: value(l.text) };
      return l.total as tf.Scalar;
    }, vars);
    expect(terms.action).toBe(0);
    expect(terms.text).toBeGreaterThan(0);
    const byName = new Map([...model.params].map(([name, v]) => [name, grads[v.name]]));
    const actionHead = [...byName.keys()].filter((n) => n.startsWith("action/"));
    expect(actionHead).toHaveLength(4);
    for (const name of actionHead) {
      const g = byName.get(name);
      expect(g, name).toBeDefined();
      expect(Array.from(g!.dataSync()).every((v) => v === 0), name).toBe(true);
    }
    // The text path did get a gradient, so the zeros above are the mask's doing, not a dead graph.
    expect(Array.from(byName.get("token_embed")!.dataSync()).some((v) => v !== 0)).toBe(true);
    tf.dispose([total, ...Object.values(grads)]);
    disposeBatchTensors(t);
    model.dispose();
  });

  it("give exactly zero text loss on a robot-only batch without text labels", async () => {
    await selectBackend(backend, { log: null });
    const rng = Rng.from(5);
    const model = VlaModel.create(TINY_MODEL, 2);
    const p = prepareBatch(makeBatch(Array.from({ length: 3 }, () => toyRow(rng, "robot")), TOY), model.config);
    const t = batchTensors(p, model);
    const [action, text] = tf.tidy(() => {
      const l = batchLosses(model, p, t, { lambda: 1, actionLoss: "mse" });
      return [value(l.action), value(l.text)];
    });
    expect(text).toBe(0);
    expect(action).toBeGreaterThan(0);
    expect(Number.isFinite(action)).toBe(true);
    disposeBatchTensors(t);
    model.dispose();
  });
});
