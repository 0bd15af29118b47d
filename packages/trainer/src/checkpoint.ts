import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MissingError, FormatError, StateError } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";
import { tf } from "./tf.js";
import type { Tensor } from "./tf.js";
import type { ModelConfig } from "./model/config.js";
import { resolveModelConfig } from "./model/config.js";
import { VlaModel } from "./model/vla.js";
import { createParams } from "./model/params.js";
import type { AdamW, AdamWOptions } from "./optimizer/adamw.js";

/**
 * A checkpoint is a directory `<runDir>/checkpoints/step-<8 digits>/`:
 * - `model.json`: tfjs model-artifacts JSON: `format`, `generatedBy`, `modelConfig`, and a tfjs
 *   `weightsManifest` ([{paths: ["weights.bin"], weights: [{name, shape, dtype}]}]) naming every parameter;
 * - `weights.bin`: the weights, concatenated little-endian float32 in manifest order (tf.io.encodeWeights);
 * - `optimizer.json` + `optimizer.bin`: AdamW options, step, and the moments ("<param>/m", "<param>/v");
 * - `state.json`: the trainer state (step, epoch, data source state, collator state, Rng state, ...).
 * It is written into `step-….tmp-<pid>` and renamed into place, so a crash never leaves a half checkpoint under
 * a real name; readers ignore `*.tmp-*` names.
 */
export const MODEL_FORMAT = "cotrain-vla";

export interface TrainerState {
  step: number;
  epoch: number;
  samples: number;
  source: JsonValue;
  collator: JsonValue;
  rng: [number, number, number, number];
  [key: string]: JsonValue;
}

interface WeightsFile {
  format: string;
  generatedBy: string;
  modelConfig?: ModelConfig;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  [key: string]: unknown;
}

async function writeWeights(dir: string, files: { json: string; bin: string }, named: Array<{ name: string; tensor: Tensor }>, header: Omit<WeightsFile, "weightsManifest">): Promise<void> {
  const { data, specs } = await tf.io.encodeWeights(named);
  await writeFile(join(dir, files.bin), new Uint8Array(data as ArrayBuffer));
  const manifest: WeightsFile = { ...(header as WeightsFile), weightsManifest: [{ paths: [files.bin], weights: specs }] };
  await writeFile(join(dir, files.json), JSON.stringify(manifest, null, 1));
}

async function readWeights(dir: string, json: string): Promise<{ header: WeightsFile; tensors: Map<string, Tensor> }> {
  const jsonPath = join(dir, json);
  if (!existsSync(jsonPath)) throw new MissingError("CHECKPOINT_MISSING", `no ${json} in checkpoint`, { file: dir });
  const header = JSON.parse(await readFile(jsonPath, "utf8")) as WeightsFile;
  if (!Array.isArray(header.weightsManifest)) throw new FormatError("BAD_CHECKPOINT", "weightsManifest is missing", { file: jsonPath, field: "weightsManifest" });
  const tensors = new Map<string, Tensor>();
  for (const group of header.weightsManifest) {
    const buffers = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    const bytes = Buffer.concat(buffers);
    const expected = group.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
    if (bytes.length !== expected) throw new FormatError("BAD_CHECKPOINT", `weights hold ${bytes.length} bytes, the manifest describes ${expected}`, { file: join(dir, group.paths[0] ?? "") });
    const decoded = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), group.weights);
    for (const [name, t] of Object.entries(decoded)) tensors.set(name, t);
  }
  return { header, tensors };
}

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, "0")}`;
}

/** Saves model, optimizer and trainer state atomically under `root`; returns the checkpoint's path. */
export async function saveCheckpoint(root: string, parts: { model: VlaModel; optimizer: AdamW; state: TrainerState }, generatedBy = "@cotrain/trainer"): Promise<string> {
  await mkdir(root, { recursive: true });
  const final = join(root, checkpointName(parts.state.step));
  const tmp = `${final}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp);
  try {
    const params = [...parts.model.params].map(([name, tensor]) => ({ name, tensor }));
    await writeWeights(tmp, { json: "model.json", bin: "weights.bin" }, params, { format: MODEL_FORMAT, generatedBy, modelConfig: parts.model.config });
    await writeWeights(tmp, { json: "optimizer.json", bin: "optimizer.bin" }, parts.optimizer.namedMoments(), { format: "cotrain-adamw", generatedBy, step: parts.optimizer.step, options: parts.optimizer.options });
    await writeFile(join(tmp, "state.json"), JSON.stringify(parts.state, null, 1));
    if (existsSync(final)) {
      const old = `${final}.old-${process.pid}`;
      await rename(final, old);
      await rename(tmp, final);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, final);
    }
    return final;
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}

/** Completed checkpoints under `root`, oldest first (temporary and partial names are skipped). */
export function listCheckpoints(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => /^step-\d{8}$/.test(n))
    .sort()
    .map((n) => join(root, n));
}

export function latestCheckpoint(root: string): string | null {
  return listCheckpoints(root).at(-1) ?? null;
}

/**
 * Clears what a process killed while saving left under `root` (names of other processes only): a `step-….tmp-<pid>`
 * folder is half written and is removed; a `step-….old-<pid>` folder is a complete checkpoint moved aside for its
 * replacement, put back when the replacement never arrived and removed otherwise.
 */
export async function clearCheckpointLeftovers(root: string): Promise<void> {
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) {
    const m = /^(step-\d{8})\.(tmp|old)-(\d+)$/.exec(name);
    if (m === null || Number(m[3]) === process.pid) continue;
    const final = join(root, m[1] as string);
    if (m[2] === "old" && !existsSync(final)) await rename(join(root, name), final);
    else await rm(join(root, name), { recursive: true, force: true });
  }
}

/** Removes all but the newest `keep` checkpoints. */
export async function pruneCheckpoints(root: string, keep: number): Promise<void> {
  if (keep <= 0) return;
  const all = listCheckpoints(root);
  for (const path of all.slice(0, Math.max(0, all.length - keep))) await rm(path, { recursive: true, force: true });
}

/** Reads a checkpoint's model config and weights; the caller owns (and disposes) the returned tensors. */
export async function readModelWeights(path: string): Promise<{ config: ModelConfig; weights: Map<string, Tensor> }> {
  const { header, tensors } = await readWeights(path, "model.json");
  if (header.format !== MODEL_FORMAT || header.modelConfig === undefined) {
    tf.dispose([...tensors.values()]);
    throw new FormatError("BAD_CHECKPOINT", `model.json has format ${JSON.stringify(header.format)}, expected "${MODEL_FORMAT}" with a modelConfig`, { file: join(path, "model.json"), field: "format" });
  }
  return { config: resolveModelConfig(header.modelConfig), weights: tensors };
}

export interface LoadReport {
  loaded: string[];
  /** Model parameters the checkpoint lacks (they keep their fresh initialization). */
  missing: string[];
  /** Checkpoint weights the model has no parameter for (ignored). */
  unexpected: string[];
}

/**
 * Copies weights into a model by name. Shapes must match (a mismatch throws, naming the parameter); with
 * `strict`, missing or unexpected names throw too. Does not dispose `weights`.
 */
export function assignWeights(model: VlaModel, weights: ReadonlyMap<string, Tensor>, strict: boolean, file = ""): LoadReport {
  const report: LoadReport = { loaded: [], missing: [], unexpected: [] };
  for (const [name, v] of model.params) {
    const w = weights.get(name);
    if (w === undefined) {
      report.missing.push(name);
      continue;
    }
    if (!tf.util.arraysEqual(w.shape, v.shape)) throw new StateError("SHAPE_MISMATCH", `checkpoint weight ${name} has shape [${w.shape}] but the model's is [${v.shape}]`, { file, field: name });
    v.assign(w);
    report.loaded.push(name);
  }
  for (const name of weights.keys()) if (!model.params.has(name)) report.unexpected.push(name);
  if (strict && (report.missing.length > 0 || report.unexpected.length > 0)) {
    throw new StateError("CHECKPOINT_MISMATCH", `checkpoint does not fit the model: missing ${report.missing.join(", ") || "none"}; unexpected ${report.unexpected.join(", ") || "none"}`, { file });
  }
  return report;
}

/** A model rebuilt from a checkpoint directory (its config and weights). The caller disposes it. */
export async function loadModel(path: string): Promise<VlaModel> {
  const { config, weights } = await readModelWeights(path);
  const model = new VlaModel(config, createParams(config, 0));
  try {
    assignWeights(model, weights, true, path);
  } finally {
    tf.dispose([...weights.values()]);
  }
  return model;
}

/** Restores the optimizer's step and moments from a checkpoint directory. */
export async function loadOptimizer(path: string, optimizer: AdamW, model: VlaModel): Promise<void> {
  const { header, tensors } = await readWeights(path, "optimizer.json");
  try {
    const step = header.step;
    if (typeof step !== "number") throw new FormatError("BAD_CHECKPOINT", "optimizer.json has no step", { file: join(path, "optimizer.json"), field: "step" });
    optimizer.restore(step, tensors, model.params);
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

export async function readTrainerState(path: string): Promise<TrainerState> {
  const file = join(path, "state.json");
  if (!existsSync(file)) throw new MissingError("CHECKPOINT_MISSING", "no state.json in checkpoint", { file: path });
  const state = JSON.parse(await readFile(file, "utf8")) as TrainerState;
  if (!Number.isInteger(state.step) || !Array.isArray(state.rng)) throw new FormatError("BAD_CHECKPOINT", "state.json lacks step or rng", { file });
  return state;
}

export type { AdamWOptions };
