import { ConfigError, ValueError } from "@cotrain/core";
import { IGNORE_INDEX, KIND_ROBOT } from "@cotrain/collator";
import type { Batch } from "@cotrain/collator";
import type { ModelConfig } from "./config.js";
import { numPatches, patchDim } from "./config.js";

/** A token-id range [start, end) that holds action tokens (tokens mode). */
export interface TokenRange {
  start: number;
  end: number;
}

export interface PrepareOptions {
  /**
   * Tokens mode: labels in this id range are action tokens (action loss), all others text (text loss). Without
   * it, every label of a robot row counts as an action token and every label of a web row as text.
   */
  actionTokens?: TokenRange;
}

/**
 * A collated batch turned into the exact arrays the model consumes, computed in plain JS (so it can run while
 * the previous step computes). No tensors: `toTensors` makes them and the step disposes them.
 */
export interface PreparedBatch {
  size: number;
  seqLen: number;
  /** [B, N, patch²·C] image patches, row-major over the patch grid, each patch (dy, dx, c). */
  patches: Float32Array;
  /** [B, T]. */
  inputIds: Int32Array;
  /** [B, 1, S, S] additive attention bias (0 or -1e9), S = N + T. */
  attentionBias: Float32Array;
  /** [B, 1, S]: one-hot on the readout position (the last real text token) for the action head. */
  readout: Float32Array;
  /** [B·T]: the label each position predicts (labels shifted left by one; ignored positions hold 0). */
  targets: Int32Array;
  /** [B·T]: 1 where `targets` is a trained text token. */
  textWeights: Float32Array;
  /** [B·T]: 1 where `targets` is an action token (tokens mode). */
  actionTokenWeights: Float32Array;
  /** [B, H·D] continuous targets and their per-entry weights (action mask expanded over D). */
  actions: Float32Array;
  actionWeights: Float32Array;
  counts: { textTokens: number; actionTokens: number; actionEntries: number; actionRows: number };
  batch: Batch;
}

export const MASKED = -1e9;

/** Checks the pixel layout against the model and cuts it into patch vectors [B, N, patch²·C]. */
export function patchify(pixels: Float32Array, pixelShape: readonly number[], c: ModelConfig): Float32Array {
  const [B, H, W, C] = pixelShape as [number, number, number, number];
  if (H !== c.imageSize[0] || W !== c.imageSize[1] || C !== c.channels) {
    throw new ConfigError("SHAPE_MISMATCH", `batch pixels are ${H}×${W}×${C} but the model expects ${c.imageSize.join("×")}×${c.channels} (model.imageSize/channels)`, { field: "pixels" });
  }
  const p = c.patchSize;
  const gw = W / p;
  const n = numPatches(c);
  const out = new Float32Array(B * n * patchDim(c));
  let o = 0;
  for (let b = 0; b < B; b++) {
    for (let patch = 0; patch < n; patch++) {
      const y0 = Math.floor(patch / gw) * p;
      const x0 = (patch % gw) * p;
      for (let dy = 0; dy < p; dy++) {
        const rowStart = ((b * H + y0 + dy) * W + x0) * C;
        out.set(pixels.subarray(rowStart, rowStart + p * C), o);
        o += p * C;
      }
    }
  }
  return out;
}

/**
 * Prefix-LM mask [B, 1, S, S]: image tokens see each other; text sees the image (when the row has one) and
 * earlier real text; every token sees itself (so no softmax row is empty).
 */
export function attentionBias(attentionMask: Int32Array, B: number, T: number, n: number, hasImage?: Uint8Array): Float32Array {
  const S = n + T;
  const out = new Float32Array(B * S * S).fill(MASKED);
  for (let b = 0; b < B; b++) {
    const image = hasImage === undefined || hasImage[b] !== 0;
    const base = b * S * S;
    for (let i = 0; i < n; i++) out.fill(0, base + i * S, base + i * S + n);
    for (let t = 0; t < T; t++) {
      const row = base + (n + t) * S;
      if (image) out.fill(0, row, row + n);
      for (let u = 0; u <= t; u++) if (u === t || attentionMask[b * T + u] !== 0) out[row + n + u] = 0;
    }
  }
  return out;
}

/** [B, 1, S] one-hot on each row's last real text token (the last image token when a row has no text). */
export function readoutPositions(attentionMask: Int32Array, B: number, T: number, n: number): Float32Array {
  const S = n + T;
  const out = new Float32Array(B * S);
  for (let b = 0; b < B; b++) {
    let last = -1;
    for (let t = 0; t < T; t++) if (attentionMask[b * T + t] !== 0) last = t;
    out[b * S + (last >= 0 ? n + last : n - 1)] = 1;
  }
  return out;
}

function checkTokens(batch: Batch, c: ModelConfig): void {
  const T = batch.seqLen;
  if (T > c.maxTextLen) throw new ConfigError("SEQ_TOO_LONG", `batch sequence length ${T} exceeds model.maxTextLen ${c.maxTextLen}`, { field: "model.maxTextLen" });
  for (let i = 0; i < batch.inputIds.length; i++) {
    const id = batch.inputIds[i] as number;
    if (id < 0 || id >= c.vocabSize) throw new ValueError("BAD_TOKEN", `token id ${id} is outside the model vocabulary (model.vocabSize ${c.vocabSize})`, { row: Math.floor(i / T), id: batch.sampleIds[Math.floor(i / T)], field: "inputIds" });
  }
}

export function prepareBatch(batch: Batch, c: ModelConfig, options: PrepareOptions = {}): PreparedBatch {
  checkTokens(batch, c);
  const B = batch.size;
  const T = batch.seqLen;
  const n = numPatches(c);
  const targets = new Int32Array(B * T);
  const textWeights = new Float32Array(B * T);
  const actionTokenWeights = new Float32Array(B * T);
  let textTokens = 0;
  let actionTokens = 0;
  const range = options.actionTokens;
  const tokensMode = c.actionMode === "tokens";
  for (let b = 0; b < B; b++) {
    const robot = batch.kinds[b] === KIND_ROBOT;
    for (let t = 0; t + 1 < T; t++) {
      const label = batch.labels[b * T + t + 1] as number;
      if (label === IGNORE_INDEX) continue;
      if (label < 0 || label >= c.vocabSize) throw new ValueError("BAD_LABEL", `label ${label} is outside the model vocabulary (model.vocabSize ${c.vocabSize})`, { row: b, id: batch.sampleIds[b], field: "labels" });
      targets[b * T + t] = label;
      const isAction = tokensMode && (range ? label >= range.start && label < range.end : robot);
      if (isAction) {
        actionTokenWeights[b * T + t] = 1;
        actionTokens++;
      } else {
        textWeights[b * T + t] = 1;
        textTokens++;
      }
    }
  }
  const { actions, actionWeights, actionEntries, actionRows } = continuousTargets(batch, c);
  return {
    size: B,
    seqLen: T,
    patches: patchify(batch.pixels, batch.pixelShape, c),
    inputIds: batch.inputIds,
    attentionBias: attentionBias(batch.attentionMask, B, T, n, batch.hasImage),
    readout: readoutPositions(batch.attentionMask, B, T, n),
    targets,
    textWeights,
    actionTokenWeights,
    actions,
    actionWeights,
    counts: { textTokens, actionTokens, actionEntries, actionRows },
    batch,
  };
}

/** Action targets [B, H·D] and weights (mask × D); zero weights everywhere in tokens mode or without actions. */
function continuousTargets(batch: Batch, c: ModelConfig): { actions: Float32Array; actionWeights: Float32Array; actionEntries: number; actionRows: number } {
  const B = batch.size;
  const width = c.actionHorizon * c.actionDim;
  const actions = new Float32Array(B * width);
  const actionWeights = new Float32Array(B * width);
  if (c.actionMode !== "continuous" || batch.actions.length === 0) return { actions, actionWeights, actionEntries: 0, actionRows: 0 };
  const shape = batch.actionShape;
  const D = shape[shape.length - 1] as number;
  const H = shape.length === 3 ? (shape[1] as number) : 1;
  if (D !== c.actionDim || H !== c.actionHorizon) {
    throw new ConfigError("SHAPE_MISMATCH", `batch actions are [${shape.join(", ")}] but the model predicts H=${c.actionHorizon} × D=${c.actionDim} (model.actionHorizon/actionDim)`, { field: "actions" });
  }
  actions.set(batch.actions.subarray(0, B * width));
  let actionEntries = 0;
  let actionRows = 0;
  for (let b = 0; b < B; b++) {
    let any = false;
    for (let h = 0; h < H; h++) {
      const m = batch.actionMask[b * H + h] as number;
      if (m === 0) continue;
      any = true;
      actionEntries++;
      actionWeights.fill(m, (b * H + h) * D, (b * H + h + 1) * D);
    }
    if (any) actionRows++;
  }
  return { actions, actionWeights, actionEntries, actionRows };
}
