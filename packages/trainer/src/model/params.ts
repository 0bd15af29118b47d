import { Rng } from "@cotrain/core";
import { tf } from "../tf.js";
import type { Variable } from "../tf.js";
import type { ModelConfig } from "./config.js";
import { numPatches, patchDim } from "./config.js";

export interface ParamSpec {
  name: string;
  shape: number[];
  /** How to initialize: normal(0, std), ones or zeros. */
  init: { kind: "normal"; std: number } | { kind: "ones" } | { kind: "zeros" };
}

/**
 * Every parameter of the model by name. Names are stable path-like strings ("block0/attn/q/kernel") so freezing
 * by prefix and loading a partial checkpoint (a VLM without the action head) work by name.
 */
export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const d = c.dim;
  const specs: ParamSpec[] = [];
  const linear = (name: string, fanIn: number, fanOut: number, std = 1 / Math.sqrt(fanIn)): void => {
    specs.push({ name: `${name}/kernel`, shape: [fanIn, fanOut], init: { kind: "normal", std } });
    specs.push({ name: `${name}/bias`, shape: [fanOut], init: { kind: "zeros" } });
  };
  const norm = (name: string): void => {
    specs.push({ name: `${name}/gamma`, shape: [d], init: { kind: "ones" } });
    specs.push({ name: `${name}/beta`, shape: [d], init: { kind: "zeros" } });
  };
  linear("patch", patchDim(c), d);
  specs.push({ name: "image_pos", shape: [numPatches(c), d], init: { kind: "normal", std: 0.02 } });
  specs.push({ name: "token_embed", shape: [c.vocabSize, d], init: { kind: "normal", std: 0.02 } });
  specs.push({ name: "text_pos", shape: [c.maxTextLen, d], init: { kind: "normal", std: 0.02 } });
  if (c.inputNorm) {
    norm("image_ln");
    norm("text_ln");
  }
  // Residual projections are scaled down with depth so the residual stream starts near the embeddings (GPT-2).
  const residualStd = 1 / Math.sqrt(d) / Math.sqrt(2 * c.layers);
  for (let i = 0; i < c.layers; i++) {
    const b = `block${i}`;
    norm(`${b}/ln1`);
    linear(`${b}/attn/q`, d, d);
    linear(`${b}/attn/k`, d, d);
    linear(`${b}/attn/v`, d, d);
    linear(`${b}/attn/out`, d, d, residualStd);
    norm(`${b}/ln2`);
    linear(`${b}/mlp/fc1`, d, c.mlpRatio * d);
    linear(`${b}/mlp/fc2`, c.mlpRatio * d, d, residualStd / Math.sqrt(c.mlpRatio));
  }
  norm("final_ln");
  if (c.actionMode === "continuous") {
    linear("action/fc1", d, c.actionHidden);
    linear("action/fc2", c.actionHidden, c.actionHorizon * c.actionDim, 0.01);
  }
  return specs;
}

/** Initial values from the seeded Rng, keyed by parameter name, so they do not depend on creation order. */
export function initialValue(spec: ParamSpec, seed: number): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  if (spec.init.kind === "ones") out.fill(1);
  else if (spec.init.kind === "normal") {
    const rng = Rng.from(seed, "init", spec.name);
    for (let i = 0; i < size; i++) out[i] = rng.normal() * spec.init.std;
  }
  return out;
}

let instances = 0;

/**
 * Creates the variables. tfjs variable names are global to the engine, so each model instance prefixes its own
 * (`m3/block0/...`); callers always use the logical names.
 */
export function createParams(c: ModelConfig, seed: number): Map<string, Variable> {
  const prefix = `m${++instances}`;
  const params = new Map<string, Variable>();
  for (const spec of paramSpecs(c)) {
    const value = tf.tensor(initialValue(spec, seed), spec.shape, "float32");
    params.set(spec.name, tf.variable(value, true, `${prefix}/${spec.name}`));
    value.dispose();
  }
  return params;
}
