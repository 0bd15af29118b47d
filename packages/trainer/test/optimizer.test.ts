import { describe, expect, it } from "vitest";
import { selectBackend, tf, AdamW, learningRateAt, globalNormClip } from "@cotrain/trainer";
import type { Tensor, Variable } from "@cotrain/trainer";

describe("optimizer", () => {
  it("follows linear warmup then cosine decay to minLrRatio", () => {
    const s = { lr: 1, warmupSteps: 4, totalSteps: 14, minLrRatio: 0.1 };
    expect([0, 1, 2, 3].map((i) => learningRateAt(i, s))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(learningRateAt(4, s)).toBeCloseTo(1, 12);
    expect(learningRateAt(9, s)).toBeCloseTo(0.1 + 0.9 * 0.5, 12);
    expect(learningRateAt(14, s)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(100, s)).toBeCloseTo(0.1, 12);
  });

  it("clips by the global norm", async () => {
    await selectBackend("cpu", { log: null });
    const grads = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])];
    const { norm, scale } = globalNormClip(grads, 1);
    expect(norm.dataSync()[0]).toBeCloseTo(5, 5);
    expect(scale.dataSync()[0]).toBeCloseTo(0.2, 5);
    const off = globalNormClip(grads, 0);
    expect(off.scale.dataSync()[0]).toBe(1);
    tf.dispose([...grads, norm, scale, off.norm, off.scale]);
  });

  it("applies Adam with decoupled weight decay (hand-computed first step)", async () => {
    await selectBackend("cpu", { log: null });
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const b = tf.variable(tf.tensor1d([0.5]));
    const opt = new AdamW({ weightDecay: 0.1, epsilon: 0 });
    const params = new Map<string, Variable>([["w", w], ["b", b]]);
    const grads = new Map<string, Tensor>([["w", tf.tensor2d([[0.3, -0.5]])], ["b", tf.tensor1d([2])]]);
    opt.apply(params, grads, 0.01);
    // Step 1: m̂ = g, v̂ = g², so the Adam step is sign(g); decay 0.1·w only on the matrix.
    expect(Array.from(w.dataSync())).toEqual([1 - 0.01 * (1 + 0.1), -2 - 0.01 * (-1 - 0.2)].map((x) => Math.fround(x)));
    expect(b.dataSync()[0]).toBeCloseTo(0.5 - 0.01, 6);
    expect(opt.step).toBe(1);
    const count = tf.memory().numTensors;
    opt.apply(params, grads, 0.01);
    expect(tf.memory().numTensors).toBe(count);
    tf.dispose([w, b, ...grads.values()]);
    opt.dispose();
  });
});
