import { tf } from "../tf.js";
import type { Tensor } from "../tf.js";
import { expandReduced, reductionAxes } from "./broadcast.js";

const at = (s: Tensor[], i: number): Tensor => s[i] as Tensor;

/** Gradients of the kernels that only move values (reshape, transpose, concat, slice) and of sum/mean. */
export const shapeGradients: tf.GradConfig[] = [
  { kernelName: tf.Reshape, inputsToSave: ["x"], gradFunc: (dy, s) => ({ x: () => tf.reshape(dy as Tensor, at(s, 0).shape) }) },
  { kernelName: tf.ExpandDims, inputsToSave: ["input"], gradFunc: (dy, s) => ({ input: () => tf.reshape(dy as Tensor, at(s, 0).shape) }) },
  {
    kernelName: tf.Transpose,
    gradFunc: (dy, _s, attrs) => {
      const perm = (attrs as { perm: number[] }).perm;
      return { x: () => tf.transpose(dy as Tensor, tf.backend_util.getUndoAxesPermutation(perm)) };
    },
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, s, attrs) => {
      const axis = reductionAxes((attrs as { axis: number }).axis, at(s, 0).shape)[0] as number;
      const sizes = s.map((t) => t.shape[axis] as number);
      const parts = tf.split(dy as Tensor, sizes, axis);
      return Object.fromEntries(parts.map((p, i) => [String(i), () => p]));
    },
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ["x"],
    gradFunc: (dy, s, attrs) => {
      const x = at(s, 0);
      const a = attrs as { begin: number | number[]; size: number | number[] };
      const [begin, size] = tf.slice_util.parseSliceParams(x, a.begin, a.size);
      const paddings = x.shape.map((n, i) => [begin![i] as number, n - (begin![i] as number) - (size![i] as number)] as [number, number]);
      return { x: () => tf.pad(dy as Tensor, paddings) };
    },
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ["x"],
    gradFunc: (dy, s, attrs) => {
      const x = at(s, 0);
      return { x: () => expandReduced(dy as Tensor, x.shape, reductionAxes((attrs as { axis: unknown }).axis, x.shape)) };
    },
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ["x"],
    gradFunc: (dy, s, attrs) => {
      const x = at(s, 0);
      const axes = reductionAxes((attrs as { axis: unknown }).axis, x.shape);
      const count = axes.reduce((n, a) => n * (x.shape[a] as number), 1);
      return { x: () => tf.div(expandReduced(dy as Tensor, x.shape, axes), tf.scalar(count)) };
    },
  },
];
