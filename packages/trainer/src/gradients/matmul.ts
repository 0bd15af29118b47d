import { matMulT, tf } from "../tf.js";
import type { Tensor } from "../tf.js";
import { unbroadcast } from "./broadcast.js";

/**
 * Gradient of BatchMatMul for C = op(A) op(B) over the last two axes (op = optional transpose):
 * dA = dC op(B)^T (or its transpose when A was transposed), likewise for B; broadcast batch axes are summed.
 */
export const matMulGradient: tf.GradConfig = {
  kernelName: tf.BatchMatMul,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as [Tensor, Tensor];
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const d = dy as Tensor;
    const da = (): Tensor => {
      if (!transposeA && !transposeB) return matMulT(d, b, false, true);
      if (!transposeA && transposeB) return matMulT(d, b, false, false);
      if (transposeA && !transposeB) return matMulT(b, d, false, true);
      return matMulT(b, d, true, true);
    };
    const db = (): Tensor => {
      if (!transposeA && !transposeB) return matMulT(a, d, true, false);
      if (!transposeA && transposeB) return matMulT(d, a, true, false);
      if (transposeA && !transposeB) return matMulT(a, d, false, false);
      return matMulT(d, a, true, true);
    };
    return { a: () => unbroadcast(da(), a.shape), b: () => unbroadcast(db(), b.shape) };
  },
};
