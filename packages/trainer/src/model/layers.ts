import { tf } from "../tf.js";
import type { Tensor, Variable } from "../tf.js";

export type Params = ReadonlyMap<string, Variable>;

export function param(params: Params, name: string): Variable {
  const v = params.get(name);
  if (v === undefined) throw new Error(`model parameter ${name} is missing`);
  return v;
}

/** x [..., in] × kernel [in, out] + bias, as a 2-D matMul (no batch broadcasting in the gradient). */
export function linear(params: Params, name: string, x: Tensor): Tensor {
  const kernel = param(params, `${name}/kernel`);
  const inDim = x.shape[x.rank - 1] as number;
  const outDim = kernel.shape[1] as number;
  const flat = tf.reshape(x, [-1, inDim]);
  const y = tf.add(tf.matMul(flat, kernel), param(params, `${name}/bias`));
  return tf.reshape(y, [...x.shape.slice(0, -1), outDim]);
}

/** LayerNorm over the last axis, built from mean/rsqrt so every kernel has a registered gradient. */
export function layerNorm(params: Params, name: string, x: Tensor, eps = 1e-5): Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  const normed = tf.mul(centered, tf.rsqrt(tf.add(variance, tf.scalar(eps))));
  return tf.add(tf.mul(normed, param(params, `${name}/gamma`)), param(params, `${name}/beta`));
}

/** GELU by its sigmoid approximation x·σ(1.702x): one Sigmoid and two Multiply kernels, all wasm-native. */
export function gelu(x: Tensor): Tensor {
  return tf.mul(x, tf.sigmoid(tf.mul(x, tf.scalar(1.702))));
}

export function mlp(params: Params, name: string, x: Tensor): Tensor {
  return linear(params, `${name}/fc2`, gelu(linear(params, `${name}/fc1`, x)));
}

/**
 * One-hot rows as float32. Built as int32 then cast: the wasm OneHot kernel ignores a float32 dtype and writes
 * int32 bits into a float32 tensor (tfjs 4.22), which reads back as ~1e-45 instead of 1.
 */
export function oneHotFloat(indices: Tensor, depth: number): Tensor {
  return tf.cast(tf.oneHot(indices, depth), "float32");
}
