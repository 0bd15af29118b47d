import { StateError } from "@cotrain/core";
import { tf } from "../tf.js";
import type { Tensor, Variable } from "../tf.js";

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay (Loshchilov & Hutter), applied to matrices (rank ≥ 2) only; 0 gives plain Adam. */
  weightDecay: number;
}

export const DEFAULT_ADAMW: AdamWOptions = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };

/**
 * Adam with decoupled weight decay, written on tfjs-core ops so its state (moments and step) is ours to save
 * and restore exactly. Owns its moment variables (`dispose()` frees them); never disposes the gradients it is
 * given. The update for parameter w with gradient g (already multiplied by the clip scale):
 *   m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;  w ← w − lr (m̂ / (√v̂ + ε) + λ w),  m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
 */
export class AdamW {
  readonly options: AdamWOptions;
  /** Updates applied so far (t of the bias correction). */
  step = 0;
  private readonly moments = new Map<string, { m: Variable; v: Variable }>();
  private static instances = 0;
  private readonly prefix = `adamw${++AdamW.instances}`;

  constructor(options: Partial<AdamWOptions> = {}) {
    this.options = { ...DEFAULT_ADAMW, ...options };
  }

  private momentsFor(name: string, like: Variable): { m: Variable; v: Variable } {
    let pair = this.moments.get(name);
    if (pair === undefined) {
      const zeros = tf.zerosLike(like);
      pair = { m: tf.variable(zeros, false, `${this.prefix}/${name}/m`), v: tf.variable(zeros, false, `${this.prefix}/${name}/v`) };
      zeros.dispose();
      this.moments.set(name, pair);
    }
    return pair;
  }

  /** Applies one update to every parameter that has a gradient. `scale` multiplies all gradients (clipping). */
  apply(params: ReadonlyMap<string, Variable>, grads: ReadonlyMap<string, Tensor>, lr: number, scale: Tensor | null = null): void {
    this.step++;
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    for (const [name, grad] of grads) {
      const w = params.get(name);
      if (w === undefined) throw new Error(`AdamW: no parameter named ${name}`);
      const { m, v } = this.momentsFor(name, w);
      tf.tidy(() => {
        const g = scale === null ? grad : tf.mul(grad, scale);
        m.assign(tf.add(tf.mul(m, tf.scalar(beta1)), tf.mul(g, tf.scalar(1 - beta1))));
        v.assign(tf.add(tf.mul(v, tf.scalar(beta2)), tf.mul(tf.square(g), tf.scalar(1 - beta2))));
        const mHat = tf.div(m, tf.scalar(c1));
        const vHat = tf.div(v, tf.scalar(c2));
        let update = tf.div(mHat, tf.add(tf.sqrt(vHat), tf.scalar(epsilon)));
        if (weightDecay > 0 && w.rank >= 2) update = tf.add(update, tf.mul(w, tf.scalar(weightDecay)));
        w.assign(tf.sub(w, tf.mul(update, tf.scalar(lr))));
      });
    }
  }

  /** Moments by name ("<param>/m", "<param>/v") for a checkpoint; the tensors stay owned by the optimizer. */
  namedMoments(): Array<{ name: string; tensor: Variable }> {
    const out: Array<{ name: string; tensor: Variable }> = [];
    for (const [name, { m, v }] of this.moments) out.push({ name: `${name}/m`, tensor: m }, { name: `${name}/v`, tensor: v });
    return out;
  }

  /** Restores moments saved by `namedMoments` (values are copied) and the step count. */
  restore(step: number, moments: ReadonlyMap<string, Tensor>, params: ReadonlyMap<string, Variable>): void {
    if (!Number.isInteger(step) || step < 0) throw new StateError("BAD_OPTIMIZER_STATE", `optimizer step must be a non-negative integer, got ${step}`);
    for (const [key, value] of moments) {
      const match = /^(.*)\/(m|v)$/.exec(key);
      const param = match ? params.get(match[1] as string) : undefined;
      if (!match || param === undefined) throw new StateError("BAD_OPTIMIZER_STATE", `optimizer state holds ${key}, which matches no model parameter`);
      if (!tf.util.arraysEqual(value.shape, param.shape)) throw new StateError("BAD_OPTIMIZER_STATE", `optimizer moment ${key} has shape [${value.shape}] but the parameter has [${param.shape}]`);
      const pair = this.momentsFor(match[1] as string, param);
      (match[2] === "m" ? pair.m : pair.v).assign(value);
    }
    this.step = step;
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}
