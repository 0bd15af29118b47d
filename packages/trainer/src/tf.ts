/**
 * The one place the trainer imports TensorFlow.js. `@tensorflow/tfjs-core` resolves (in Node) to its CommonJS
 * bundle, the same instance that the backends register into, so every module shares one engine.
 */
import * as tf from "@tensorflow/tfjs-core";

export { tf };
export type Tensor = tf.Tensor;
export type Variable = tf.Variable;
