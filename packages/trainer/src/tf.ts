/**
 * The one place the trainer imports TensorFlow.js. `@tensorflow/tfjs-core` resolves (in Node) to its CommonJS
 * bundle, the same instance that the backends register into, so every module shares one engine.
 */
import * as tf from "@tensorflow/tfjs-core";

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;

/**
 * Runs `make` in a tidy scope and reads the resulting tensor's values. (Returning a large typed array *from*
 * tf.tidy is slow: tidy walks its return value element by element looking for tensors.)
 */
export function valuesOf(make: () => Tensor): Float32Array | Int32Array | Uint8Array {
  const t = tf.tidy(make);
  try {
    return t.dataSync() as Float32Array | Int32Array | Uint8Array;
  } finally {
    t.dispose();
  }
}

/** Swaps the last two axes. */
export function transposeLast(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 1] = x.rank - 2;
  perm[x.rank - 2] = x.rank - 1;
  return tf.transpose(x, perm);
}

/**
 * matMul with the transposes done as explicit Transpose kernels. The wasm backend's BatchMatMul is 10-15×
 * slower with transposeA/transposeB than a plain product of the transposed copy (measured on 3072×96 by
 * 3072×384: 245 ms vs 15 ms), and the backward pass is made of exactly such products.
 */
export function matMulT(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  return tf.matMul(transposeA ? transposeLast(a) : a, transposeB ? transposeLast(b) : b);
}
