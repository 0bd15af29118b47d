import { tf } from "../tf.js";
import { arithmeticGradients } from "./arithmetic.js";
import { matMulGradient } from "./matmul.js";
import { shapeGradients } from "./shape.js";
import { unaryGradients } from "./unary.js";

/**
 * `@tensorflow/tfjs-core`'s CommonJS bundle (what Node loads) registers no gradients: they ship only as ES modules
 * that Node cannot import (extensionless relative imports), and the union package `@tensorflow/tfjs` is not a
 * dependency. So the trainer registers its own, derived by hand, for exactly the kernels its model uses. A
 * gradient that is already registered (for example by `@tensorflow/tfjs-node`, which loads the full library) is
 * left alone. Returns the kernel names it registered.
 */
export function registerGradients(): string[] {
  const registered: string[] = [];
  for (const config of [...arithmeticGradients, ...unaryGradients, ...shapeGradients, matMulGradient]) {
    if (tf.getGradient(config.kernelName) !== undefined) continue;
    tf.registerGradient(config);
    registered.push(config.kernelName);
  }
  return registered;
}

/** Kernel names the trainer's model needs gradients for. */
export function gradientKernels(): string[] {
  return [...arithmeticGradients, ...unaryGradients, ...shapeGradients, matMulGradient].map((c) => c.kernelName);
}
