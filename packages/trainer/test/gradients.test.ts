import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "@cotrain/core";
import { selectBackend, tf, VlaModel, prepareBatch, batchTensors, disposeBatchTensors, batchLosses, maskedCrossEntropy, gradientKernels } from "@cotrain/trainer";
import type { Tensor } from "@cotrain/trainer";
import { TINY_MODEL, toyBatch } from "./fixtures.js";

function randn(rng: Rng, shape: number[], offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal() + offset), shape);
}

/** Checks d/dx sum(w ⊙ f(x)) against central differences, entry by entry (float32, so loose tolerances). */
function checkGrad(f: (x: Tensor) => Tensor, x: Tensor, seed = 1): void {
  const rng = Rng.from(seed);
  const y = tf.tidy(() => f(x));
  const w = randn(rng, y.shape);
  const loss = (t: Tensor): number => tf.tidy(() => tf.sum(tf.mul(f(t), w)).dataSync()[0] as number);
  const analytic = tf.tidy(() => tf.grad((t: Tensor) => tf.sum(tf.mul(f(t), w)))(x).dataSync());
  const base = x.dataSync();
  const eps = 1e-2;
  for (let i = 0; i < base.length; i++) {
    const plus = Float32Array.from(base);
    const minus = Float32Array.from(base);
    plus[i] = (plus[i] as number) + eps;
    minus[i] = (minus[i] as number) - eps;
    const tp = tf.tensor(plus, x.shape);
    const tm = tf.tensor(minus, x.shape);
    const numeric = (loss(tp) - loss(tm)) / (2 * eps);
    tf.dispose([tp, tm]);
    expect(analytic[i], `entry ${i}`).toBeCloseTo(numeric, 1);
  }
  tf.dispose([y, w]);
}

beforeAll(async () => {
  await selectBackend("cpu", { log: null });
});

describe("hand-written gradients", () => {
  const rng = Rng.from(42);
  it("covers the kernels the model uses", () => {
    expect(gradientKernels()).toEqual(expect.arrayContaining(["BatchMatMul", "Softmax", "Concat", "Slice", "Sum", "Mean", "Rsqrt", "Sigmoid", "Transpose", "Reshape"]));
  });

  it("match finite differences for broadcasting arithmetic", () => {
    const b = randn(rng, [3], 2);
    const a = randn(rng, [2, 3]);
    checkGrad((x) => tf.add(x, b), a);
    checkGrad((x) => tf.add(a, x), b);
    checkGrad((x) => tf.sub(a, x), b);
    checkGrad((x) => tf.mul(x, b), a);
    checkGrad((x) => tf.mul(a, x), b);
    checkGrad((x) => tf.div(x, b), a);
    checkGrad((x) => tf.div(a, x), b);
    checkGrad((x) => tf.squaredDifference(x, b), a);
    checkGrad((x) => tf.squaredDifference(a, x), b);
    checkGrad((x) => tf.neg(tf.square(x)), a);
  });

  it("match finite differences for unary functions and softmax", () => {
    const pos = randn(rng, [2, 4], 3);
    const x = randn(rng, [2, 4]);
    for (const f of [tf.exp, tf.tanh, tf.sigmoid, (t: Tensor) => tf.softmax(t)]) checkGrad(f as (t: Tensor) => Tensor, x);
    for (const f of [tf.log, tf.sqrt, tf.rsqrt, tf.abs, tf.relu]) checkGrad(f as (t: Tensor) => Tensor, pos);
  });

  it("match finite differences for shape ops and reductions", () => {
    const x = randn(rng, [2, 3, 4]);
    const other = randn(rng, [2, 2, 4]);
    checkGrad((t) => tf.reshape(t, [6, 4]), x);
    checkGrad((t) => tf.transpose(t, [2, 0, 1]), x);
    checkGrad((t) => tf.concat([t, other], 1), x);
    checkGrad((t) => tf.concat([other, t], 1), x);
    checkGrad((t) => tf.slice(t, [0, 1, 1], [2, 2, -1]), x);
    checkGrad((t) => tf.sum(t, 1), x);
    checkGrad((t) => tf.sum(t, -1, true), x);
    checkGrad((t) => tf.mean(t, [0, 2]), x);
    checkGrad((t) => tf.mean(t, -1, true), x);
  });

  it("match finite differences for matMul with transposes and broadcast batch axes", () => {
    const a = randn(rng, [2, 3, 4]);
    const b = randn(rng, [2, 4, 5]);
    const bt = randn(rng, [2, 5, 4]);
    const at = randn(rng, [2, 4, 3]);
    checkGrad((x) => tf.matMul(x, b), a);
    checkGrad((x) => tf.matMul(a, x), b);
    checkGrad((x) => tf.matMul(a, x, false, true), bt);
    checkGrad((x) => tf.matMul(x, bt, false, true), a);
    checkGrad((x) => tf.matMul(x, b, true, false), at);
    checkGrad((x) => tf.matMul(at, x, true, false), b);
    checkGrad((x) => tf.matMul(x, bt, true, true), at);
    checkGrad((x) => tf.matMul(at, x, true, true), bt);
    const w2 = randn(rng, [4, 5]);
    checkGrad((x) => tf.matMul(a, x), w2);
  });

  it("give the masked cross-entropy's gradient (softmax − onehot) · w / count", () => {
    const logits = randn(rng, [3, 5]);
    const targets = tf.tensor1d([1, 4, 0], "int32");
    const weights = tf.tensor1d([1, 0, 1]);
    checkGrad((x) => tf.reshape(maskedCrossEntropy(x, targets, weights, 2), [1]), logits);
    tf.dispose([logits, targets, weights]);
  });

  it("make the whole model's gradient match a directional finite difference", () => {
    const model = VlaModel.create({ ...TINY_MODEL, dropout: 0 }, 5);
    const p = prepareBatch(toyBatch(Rng.from(9), 6), model.config);
    const t = batchTensors(p, model);
    const vars = [...model.params.values()];
    const drng = Rng.from(11);
    const dirs = vars.map((v) => randn(drng, v.shape));
    const lossAt = (scale: number): number =>
      tf.tidy(() => {
        vars.forEach((v, i) => v.assign(tf.add(v, tf.mul(dirs[i] as Tensor, tf.scalar(scale)))));
        const value = batchLosses(model, p, t, { lambda: 1, actionLoss: "mse" }).total.dataSync()[0] as number;
        vars.forEach((v, i) => v.assign(tf.sub(v, tf.mul(dirs[i] as Tensor, tf.scalar(scale)))));
        return value;
      });
    const { grads } = tf.variableGrads(() => batchLosses(model, p, t, { lambda: 1, actionLoss: "mse" }).total as tf.Scalar, vars);
    const analytic = vars.reduce((sum, v, i) => sum + (tf.tidy(() => tf.sum(tf.mul(grads[v.name] as Tensor, dirs[i] as Tensor)).dataSync()[0]) as number), 0);
    const eps = 1e-3;
    const numeric = (lossAt(eps) - lossAt(-eps)) / (2 * eps);
    expect(Math.abs(analytic - numeric) / Math.max(1, Math.abs(numeric))).toBeLessThan(2e-2);
    tf.dispose([...Object.values(grads), ...dirs]);
    disposeBatchTensors(t);
    model.dispose();
  });
});
