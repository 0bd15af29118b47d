import { tf } from "../tf.js";
import type { Tensor } from "../tf.js";

/**
 * The global L2 norm of all gradients and the factor min(1, maxNorm / norm) that clips them to `maxNorm`
 * (Pascanu et al.). Both are scalar tensors owned by the caller; `maxNorm` ≤ 0 or Infinity disables clipping
 * (scale 1). No data leaves the device here.
 */
export function globalNormClip(grads: readonly Tensor[], maxNorm: number): { norm: Tensor; scale: Tensor } {
  return tf.tidy(() => {
    const squares = grads.map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(squares.length === 0 ? tf.scalar(0) : squares.length === 1 ? (squares[0] as Tensor) : tf.addN(squares));
    const scale = maxNorm > 0 && Number.isFinite(maxNorm) ? tf.minimum(tf.scalar(1), tf.div(tf.scalar(maxNorm), tf.add(norm, tf.scalar(1e-6)))) : tf.scalar(1);
    return { norm, scale };
  });
}
