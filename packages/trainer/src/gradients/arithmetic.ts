import { tf } from "../tf.js";
import type { Tensor } from "../tf.js";
import { unbroadcast } from "./broadcast.js";

type Saved = Tensor[];
const first = (s: Saved, i: number): Tensor => s[i] as Tensor;

/** Gradients of the binary and unary arithmetic kernels, derived by hand (d/da, d/db with broadcasting). */
export const arithmeticGradients: tf.GradConfig[] = [
  {
    kernelName: tf.Add,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, s) => ({ a: () => unbroadcast(dy as Tensor, first(s, 0).shape), b: () => unbroadcast(dy as Tensor, first(s, 1).shape) }),
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, s) => ({ a: () => unbroadcast(dy as Tensor, first(s, 0).shape), b: () => unbroadcast(tf.neg(dy as Tensor), first(s, 1).shape) }),
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, s) => {
      const [a, b] = [first(s, 0), first(s, 1)];
      return { a: () => unbroadcast(tf.mul(dy as Tensor, tf.cast(b, "float32")), a.shape), b: () => unbroadcast(tf.mul(dy as Tensor, tf.cast(a, "float32")), b.shape) };
    },
  },
  {
    kernelName: tf.RealDiv,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, s) => {
      const [a, b] = [first(s, 0), first(s, 1)];
      return {
        a: () => unbroadcast(tf.div(dy as Tensor, b), a.shape),
        b: () => unbroadcast(tf.neg(tf.div(tf.mul(dy as Tensor, a), tf.square(b))), b.shape),
      };
    },
  },
  {
    kernelName: tf.SquaredDifference,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, s) => {
      const [a, b] = [first(s, 0), first(s, 1)];
      const twice = (): Tensor => tf.mul(dy as Tensor, tf.mul(tf.scalar(2), tf.sub(a, b)));
      return { a: () => unbroadcast(twice(), a.shape), b: () => unbroadcast(tf.neg(twice()), b.shape) };
    },
  },
  { kernelName: tf.Neg, gradFunc: (dy) => ({ x: () => tf.neg(dy as Tensor) }) },
  { kernelName: tf.Identity, gradFunc: (dy) => ({ x: () => tf.clone(dy as Tensor) }) },
  {
    kernelName: tf.Square,
    inputsToSave: ["x"],
    gradFunc: (dy, s) => ({ x: () => tf.mul(dy as Tensor, tf.mul(tf.scalar(2), tf.cast(first(s, 0), "float32"))) }),
  },
  // d|x| = sign(x): zero at 0, which keeps masked-out (exactly matching) entries at zero gradient.
  { kernelName: tf.Abs, inputsToSave: ["x"], gradFunc: (dy, s) => ({ x: () => tf.mul(dy as Tensor, tf.sign(tf.cast(first(s, 0), "float32"))) }) },
  {
    kernelName: tf.Cast,
    inputsToSave: ["x"],
    gradFunc: (dy) => ({ x: () => tf.clone(dy as Tensor) }),
  },
];
