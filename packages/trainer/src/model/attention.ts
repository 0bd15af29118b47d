import { matMulT, tf } from "../tf.js";
import type { Tensor } from "../tf.js";
import type { Params } from "./layers.js";
import { linear } from "./layers.js";

/** [B, S, d] → [B, heads, S, d/heads]. */
function splitHeads(x: Tensor, heads: number): Tensor {
  const [B, S, d] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [B, S, heads, d / heads]), [0, 2, 1, 3]);
}

/**
 * Multi-head self-attention. `bias` [B, 1, S, S] is additive (0 where allowed, -1e9 where masked) and carries
 * the prefix-LM structure and padding, so this function knows nothing about images or text.
 */
export function attention(params: Params, name: string, x: Tensor, bias: Tensor, heads: number): Tensor {
  const [B, S, d] = x.shape as [number, number, number];
  const q = splitHeads(linear(params, `${name}/q`, x), heads);
  const k = splitHeads(linear(params, `${name}/k`, x), heads);
  const v = splitHeads(linear(params, `${name}/v`, x), heads);
  const scores = tf.add(tf.mul(matMulT(q, k, false, true), tf.scalar(1 / Math.sqrt(d / heads))), bias);
  const mixed = tf.matMul(tf.softmax(scores), v);
  const merged = tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [B, S, d]);
  return linear(params, `${name}/out`, merged);
}
