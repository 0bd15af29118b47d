import type { Rng } from "@cotrain/core";
import { matMulT, tf } from "../tf.js";
import type { Tensor, Variable } from "../tf.js";
import type { ModelConfig, ModelOptions } from "./config.js";
import { numPatches, resolveModelConfig } from "./config.js";
import { attention } from "./attention.js";
import { gelu, layerNorm, linear, mlp, oneHotFloat, param } from "./layers.js";
import { createParams } from "./params.js";
import { sinCosPositions2d } from "./positions.js";

/** Input tensors of one forward pass (made by `toTensors`, owned and disposed by the caller). */
export interface ModelInputs {
  /** [B, N, patch²·C]. */
  patches: Tensor;
  /** [B, T] int32. */
  tokens: Tensor;
  /** [B, 1, S, S] additive attention bias. */
  bias: Tensor;
  /** [B, 1, S] one-hot readout position for the action head. */
  readout: Tensor;
}

export interface ForwardOptions {
  /** Compute text logits (default true). */
  text?: boolean;
  /** Compute the continuous action head (default: when actionMode is continuous). */
  action?: boolean;
  /** Training-time dropout: masks are drawn from this Rng in JS, so a restored Rng replays them exactly. */
  dropout?: { rng: Rng; rate: number };
}

export interface ForwardOutput {
  /** [B·T, V] logits at text positions (tied to the token embedding). */
  textLogits?: Tensor;
  /** [B, H·D] predicted (normalized) actions. */
  actions?: Tensor;
}

/** Patch RMS (normalized pixels) at which a patch gets its whole fixed position. */
const POSITION_GATE_RMS = 0.5;

function dropoutMask(rng: Rng, rate: number, shape: number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const keep = 1 / (1 - rate);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.float() < rate ? 0 : keep;
  return tf.tensor(values, shape, "float32");
}

/**
 * The small VLA: image patches (reshape + matMul, no conv) and text tokens (one-hot × embedding, no gather) form
 * one sequence [image prefix | text]; pre-LN transformer blocks with a prefix-LM mask; a text head tied to the
 * token embedding; an MLP action head on the last real text token. Every op has a wasm forward kernel and a
 * gradient registered by `registerGradients`, so it trains on the wasm backend.
 *
 * Tensor ownership: the model owns its variables (`dispose()` frees them). `forward` must run inside the
 * caller's `tf.tidy` (or `variableGrads`), which frees every intermediate; it never disposes its inputs.
 */
export class VlaModel {
  readonly config: ModelConfig;
  readonly params: Map<string, Variable>;

  constructor(config: ModelConfig, params: Map<string, Variable>) {
    this.config = config;
    this.params = params;
    const grid = [config.imageSize[0] / config.patchSize, config.imageSize[1] / config.patchSize] as const;
    this.fixed = config.fixedImagePositions ? tf.tensor2d(sinCosPositions2d(grid[0], grid[1], config.dim), [numPatches(config), config.dim], "float32") : null;
  }

  /** A freshly initialized model; the same seed gives the same weights in any process. */
  static create(options: ModelOptions, seed = 0): VlaModel {
    const config = resolveModelConfig(options);
    return new VlaModel(config, createParams(config, seed));
  }

  forward(inputs: ModelInputs, options: ForwardOptions = {}): ForwardOutput {
    const c = this.config;
    const [B, T] = inputs.tokens.shape as [number, number];
    const n = numPatches(c);
    const p = this.params;
    const drop = (x: Tensor): Tensor => (options.dropout && options.dropout.rate > 0 ? tf.mul(x, dropoutMask(options.dropout.rng, options.dropout.rate, x.shape)) : x);

    let image = tf.add(linear(p, "patch", inputs.patches), param(p, "image_pos"));
    if (c.fixedImagePositions) {
      const energy = tf.sqrt(tf.mean(tf.square(inputs.patches), -1, true));
      image = tf.add(image, tf.mul(tf.minimum(tf.div(energy, tf.scalar(POSITION_GATE_RMS)), tf.scalar(1)), this.fixedPositions()));
    }
    const oneHot = oneHotFloat(tf.reshape(inputs.tokens, [B * T]), c.vocabSize);
    const tokens = tf.reshape(tf.matMul(oneHot, param(p, "token_embed")), [B, T, c.dim]);
    let text = tf.add(tokens, tf.slice(param(p, "text_pos"), [0, 0], [T, c.dim]));
    if (c.inputNorm) {
      image = layerNorm(p, "image_ln", image);
      text = layerNorm(p, "text_ln", text);
    }
    let x = tf.concat([image, text], 1);
    for (let i = 0; i < c.layers; i++) {
      const b = `block${i}`;
      x = tf.add(x, drop(attention(p, `${b}/attn`, layerNorm(p, `${b}/ln1`, x), inputs.bias, c.heads)));
      x = tf.add(x, drop(mlp(p, `${b}/mlp`, layerNorm(p, `${b}/ln2`, x))));
    }
    x = layerNorm(p, "final_ln", x);

    const out: ForwardOutput = {};
    if (options.text ?? true) {
      const hidden = tf.reshape(tf.slice(x, [0, n, 0], [B, T, c.dim]), [B * T, c.dim]);
      out.textLogits = matMulT(hidden, param(p, "token_embed"), false, true);
    }
    if ((options.action ?? true) && c.actionMode === "continuous") {
      const pooled = tf.reshape(tf.matMul(inputs.readout, x), [B, c.dim]);
      out.actions = linear(p, "action/fc2", gelu(linear(p, "action/fc1", pooled)));
    }
    return out;
  }

  /** The constant 2-D sine-cosine image positions [N, dim] (fixedImagePositions), owned by the model. */
  private fixed: Tensor | null;

  private fixedPositions(): Tensor {
    if (this.fixed === null) throw new Error("the model was disposed");
    return this.fixed;
  }

  /** Names of parameters not under any of the `freeze` prefixes (a prefix matches whole path segments). */
  trainableNames(freeze: readonly string[] = []): string[] {
    const frozen = (name: string): boolean => freeze.some((f) => name === f || name.startsWith(f.endsWith("/") ? f : `${f}/`));
    return [...this.params.keys()].filter((name) => !frozen(name));
  }

  numParams(): number {
    let total = 0;
    for (const v of this.params.values()) total += v.size;
    return total;
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.fixed?.dispose();
    this.fixed = null;
  }
}

/** Tensors for one prepared batch; the caller disposes them (`tf.dispose(Object.values(inputs))`). */
export function toTensors(prepared: { size: number; seqLen: number; patches: Float32Array; inputIds: Int32Array; attentionBias: Float32Array; readout: Float32Array }, config: ModelConfig): ModelInputs {
  const B = prepared.size;
  const T = prepared.seqLen;
  const n = numPatches(config);
  const S = n + T;
  return {
    patches: tf.tensor3d(prepared.patches, [B, n, prepared.patches.length / (B * n)], "float32"),
    tokens: tf.tensor2d(prepared.inputIds, [B, T], "int32"),
    bias: tf.tensor4d(prepared.attentionBias, [B, 1, S, S], "float32"),
    readout: tf.tensor3d(prepared.readout, [B, 1, S], "float32"),
  };
}
