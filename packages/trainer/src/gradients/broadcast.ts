import { tf } from "../tf.js";
import type { Tensor } from "../tf.js";

/** Sums `dy` over the axes that broadcasting added or stretched, so the gradient has the input's `shape`. */
export function unbroadcast(dy: Tensor, shape: readonly number[]): Tensor {
  if (tf.util.arraysEqual(dy.shape, shape as number[])) return dy;
  const axes = tf.backend_util.getReductionAxes(shape as number[], dy.shape);
  const summed = axes.length > 0 ? tf.sum(dy, axes) : dy;
  return tf.reshape(summed, shape as number[]);
}

/** The axes a reduction ran over, normalized to non-negative integers. */
export function reductionAxes(axis: unknown, shape: readonly number[]): number[] {
  return tf.util.parseAxisParam((axis ?? null) as number | number[], shape as number[]);
}

/** Spreads the gradient of a reduction (`dy`, with or without the kept axes) back over the input's `shape`. */
export function expandReduced(dy: Tensor, shape: readonly number[], axes: readonly number[]): Tensor {
  const kept = dy.rank === shape.length ? dy : tf.reshape(dy, tf.backend_util.expandShapeToKeepDim(dy.shape, axes as number[]));
  return tf.mul(kept, tf.ones(shape as number[], "float32"));
}
