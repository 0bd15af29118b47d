import { tf } from "./tf.js";
import type { Tensor } from "./tf.js";
import { oneHotFloat } from "./model/layers.js";

export type ActionLossKind = "mse" | "l1";

/**
 * Mean cross-entropy over the positions with weight 1: sum_i w_i · (−log softmax(logits_i)[target_i]) / count.
 * `count` is the number of weighted positions, counted in JS; with count 0 the result is exactly 0 (the division
 * is guarded, every term is 0·finite). The gradient is written directly, (softmax − onehot) · w / count, so no
 * Max/Exp/Log gradients are needed and masked positions get exactly zero gradient.
 *
 * `targets` [M] int32 and `weights` [M] are constants owned by the caller; `logits` is [M, V].
 */
export function maskedCrossEntropy(logits: Tensor, targets: Tensor, weights: Tensor, count: number): Tensor {
  const vocab = logits.shape[1] as number;
  const scale = 1 / Math.max(count, 1);
  const op = tf.customGrad((x, saveFn) => {
    const input = x as Tensor;
    const save = saveFn as tf.GradSaveFunc;
    const shifted = tf.sub(input, tf.max(input, -1, true));
    const logProbs = tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), -1, true)));
    const oneHot = oneHotFloat(targets, vocab);
    const nll = tf.neg(tf.sum(tf.mul(oneHot, logProbs), -1));
    save([logProbs]);
    const value = tf.mul(tf.sum(tf.mul(nll, weights)), tf.scalar(scale));
    const gradFunc = (dy: Tensor, saved: Tensor[]): Tensor => {
      const probs = tf.exp(saved[0] as Tensor);
      const diff = tf.sub(probs, oneHotFloat(targets, vocab));
      const w = tf.mul(tf.reshape(weights, [-1, 1]), tf.mul(dy, tf.scalar(scale)));
      return tf.mul(diff, w);
    };
    return { value, gradFunc };
  });
  return op(logits);
}

/**
 * Mean action error over the entries with weight 1 (action mask expanded over D): sum(w · err) / count, with
 * err = (pred − target)² (mse) or |pred − target| (l1). `count` = masked-in entries × D, counted in JS; a batch
 * without robot rows gives exactly 0 and an exactly zero gradient for the action head (every term is 0·finite).
 */
export function maskedActionLoss(pred: Tensor, target: Tensor, weights: Tensor, count: number, kind: ActionLossKind = "mse"): Tensor {
  const err = kind === "mse" ? tf.squaredDifference(pred, target) : tf.abs(tf.sub(pred, target));
  return tf.mul(tf.sum(tf.mul(err, weights)), tf.scalar(1 / Math.max(count, 1)));
}

export interface LossTerms {
  total: Tensor;
  action: Tensor;
  text: Tensor;
}

/** L = L_action + lambda · L_text. */
export function combineLosses(action: Tensor, text: Tensor, lambda: number): LossTerms {
  return { total: tf.add(action, tf.mul(text, tf.scalar(lambda))), action, text };
}
