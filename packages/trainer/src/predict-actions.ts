import { ConfigError, ValueError } from "@cotrain/core";
import type { ActionTokenizer, Batch } from "@cotrain/collator";
import { valuesOf } from "./tf.js";
import type { Tensor } from "./tf.js";
import { answerSpan } from "./eval.js";
import type { Batches } from "./eval.js";
import { generate } from "./generate.js";
import { prepareBatch } from "./model/inputs.js";
import type { VlaModel } from "./model/vla.js";
import { batchTensors, disposeBatchTensors } from "./step.js";

/** The model's actions beside the batch's own (the expert's) for the rows of one batch that carry an action. */
export interface ActionPredictions {
  /** Sample ids of those rows, in batch order. */
  sampleIds: string[];
  /** Values per row: H·D. */
  width: number;
  /** [rows, H·D]: the action head's output (continuous), or the decoded greedy action tokens (tokens mode). */
  predicted: Float32Array;
  /** [rows, H·D]: the batch's actions, in the same (normalized) space. */
  expert: Float32Array;
  /** [rows, H]: 1 on real steps, 0 on padded chunk steps. */
  mask: Float32Array;
}

export interface PredictActionsOptions {
  /** Tokens mode: the collator's action tokenizer, which turns the generated ids back into actions (bin centres). */
  actionTokenizer?: ActionTokenizer;
}

/** Rows with any action mask 1. */
function actionRows(batch: Batch, H: number): number[] {
  const rows: number[] = [];
  for (let b = 0; b < batch.size; b++) if (batch.actionMask.subarray(b * H, (b + 1) * H).some((m) => m !== 0)) rows.push(b);
  return rows;
}

/** The pixels and image flags of some rows of a batch, as `generate` takes them. */
function rowPixels(batch: Batch, rows: readonly number[]): { pixels: Float32Array; pixelShape: [number, number, number, number]; hasImage: Uint8Array } {
  const [, H, W, C] = batch.pixelShape;
  const size = H * W * C;
  const pixels = new Float32Array(rows.length * size);
  rows.forEach((b, i) => pixels.set(batch.pixels.subarray(b * size, (b + 1) * size), i * size));
  return { pixels, pixelShape: [rows.length, H, W, C], hasImage: Uint8Array.from(rows.map((b) => batch.hasImage[b] ?? 1)) };
}

/**
 * Tokens mode: each row's prompt (the tokens before its first labeled span, the action tokens) continued greedily
 * for H·D tokens, choosing among action ids only, as OpenVLA decodes actions (it only maps ids back to bins; here
 * no id can fall outside them). Returns [rows, H·D] bin centres.
 */
function decodeTokenActions(model: VlaModel, batch: Batch, rows: readonly number[], width: number, tokenizer: ActionTokenizer): Float32Array {
  const prompts = rows.map((b) => {
    const span = answerSpan(batch, b);
    if (span === null) throw new ValueError("NO_ACTION_TOKENS", "a robot row has no labeled action tokens to find its prompt by", { row: b, id: batch.sampleIds[b], field: "labels" });
    return span.prompt;
  });
  const ids = generate(model, { ...rowPixels(batch, rows), prompts }, { maxNewTokens: width, allowedIds: { start: tokenizer.firstId, end: tokenizer.endId } });
  const out = new Float32Array(rows.length * width);
  ids.forEach((row, i) => out.set(tokenizer.decode(row), i * width));
  return out;
}

/**
 * Per batch, what the model does on each robot row and what the data says it should do: the raw material of
 * metrics beyond MSE (a success criterion, per-episode outcomes). Continuous mode reads the action head; tokens
 * mode decodes action tokens greedily (see decodeTokenActions). Frees every tensor it makes.
 */
export async function* predictActions(model: VlaModel, batches: Batches, options: PredictActionsOptions = {}): AsyncGenerator<ActionPredictions> {
  const c = model.config;
  const tokens = c.actionMode === "tokens";
  if (tokens && !options.actionTokenizer) throw new ConfigError("NO_ACTION_TOKENIZER", "a tokens-mode model needs `actionTokenizer` to turn its action tokens back into actions", { field: "actionTokenizer" });
  for await (const batch of batches) {
    if (batch.actions.length === 0) continue;
    const shape = batch.actionShape;
    const D = shape[shape.length - 1] as number;
    const H = shape.length === 3 ? (shape[1] as number) : 1;
    const width = H * D;
    const rows = actionRows(batch, H);
    if (rows.length === 0) continue;
    let predicted: Float32Array;
    if (tokens) {
      const tokenizer = options.actionTokenizer as ActionTokenizer;
      if (tokenizer.dim !== D) throw new ConfigError("SHAPE_MISMATCH", `the action tokenizer has ${tokenizer.dim} dimensions, the batch's actions ${D}`, { field: "actionTokenizer" });
      predicted = decodeTokenActions(model, batch, rows, width, tokenizer);
    } else {
      const t = batchTensors(prepareBatch(batch, c), model);
      let all: Float32Array | Int32Array | Uint8Array;
      try {
        all = valuesOf(() => model.forward(t.inputs, { text: false, action: true }).actions as Tensor);
      } finally {
        disposeBatchTensors(t);
      }
      predicted = new Float32Array(rows.length * width);
      rows.forEach((b, i) => predicted.set(all.subarray(b * width, (b + 1) * width), i * width));
    }
    const expert = new Float32Array(rows.length * width);
    const mask = new Float32Array(rows.length * H);
    rows.forEach((b, i) => {
      expert.set(batch.actions.subarray(b * width, (b + 1) * width), i * width);
      mask.set(batch.actionMask.subarray(b * H, (b + 1) * H), i * H);
    });
    yield { sampleIds: rows.map((b) => batch.sampleIds[b] as string), width, predicted, expert, mask };
  }
}
