import { tf } from "../tf.js";
import type { Tensor } from "../tf.js";

const at = (s: Tensor[], i: number): Tensor => s[i] as Tensor;

/** Gradients of the element-wise nonlinearities and softmax, written from their derivatives. */
export const unaryGradients: tf.GradConfig[] = [
  // d e^x = e^x: reuse the saved output.
  { kernelName: tf.Exp, outputsToSave: [true], gradFunc: (dy, s) => ({ x: () => tf.mul(dy as Tensor, at(s, 0)) }) },
  { kernelName: tf.Log, inputsToSave: ["x"], gradFunc: (dy, s) => ({ x: () => tf.div(dy as Tensor, at(s, 0)) }) },
  // d sqrt(x) = 1 / (2 sqrt(x)).
  { kernelName: tf.Sqrt, outputsToSave: [true], gradFunc: (dy, s) => ({ x: () => tf.div(dy as Tensor, tf.mul(at(s, 0), tf.scalar(2))) }) },
  // d x^-1/2 = -1/2 x^-3/2 = -1/2 y^3.
  {
    kernelName: tf.Rsqrt,
    outputsToSave: [true],
    gradFunc: (dy, s) => ({ x: () => tf.mul(dy as Tensor, tf.mul(tf.scalar(-0.5), tf.mul(at(s, 0), tf.square(at(s, 0))))) }),
  },
  { kernelName: tf.Relu, inputsToSave: ["x"], gradFunc: (dy, s) => ({ x: () => tf.mul(dy as Tensor, tf.step(at(s, 0))) }) },
  { kernelName: tf.Tanh, outputsToSave: [true], gradFunc: (dy, s) => ({ x: () => tf.mul(dy as Tensor, tf.sub(tf.scalar(1), tf.square(at(s, 0)))) }) },
  {
    kernelName: tf.Sigmoid,
    outputsToSave: [true],
    gradFunc: (dy, s) => ({ x: () => tf.mul(dy as Tensor, tf.mul(at(s, 0), tf.sub(tf.scalar(1), at(s, 0)))) }),
  },
  // d softmax: y * (dy - sum(dy * y)) along the softmax axis.
  {
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: (dy, s, attrs) => {
      const y = at(s, 0);
      const dim = (attrs as { dim: number }).dim;
      return { logits: () => tf.mul(y, tf.sub(dy as Tensor, tf.sum(tf.mul(dy as Tensor, y), [dim], true))) };
    },
  },
];
