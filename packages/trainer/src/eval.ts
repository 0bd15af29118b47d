import type { Source } from "@cotrain/core";
import { IGNORE_INDEX, KIND_VQA } from "@cotrain/collator";
import type { Batch } from "@cotrain/collator";
import { tf, valuesOf } from "./tf.js";
import type { Tensor } from "./tf.js";
import type { Collate } from "./data.js";
import { generate, argmax } from "./generate.js";
import { prepareBatch } from "./model/inputs.js";
import type { TokenRange } from "./model/inputs.js";
import type { VlaModel } from "./model/vla.js";
import { maskedCrossEntropy } from "./loss.js";
import { batchTensors, disposeBatchTensors } from "./step.js";

export type Batches = Iterable<Batch> | AsyncIterable<Batch>;

/** Batches of a held-out source, from its start each time (reset(0)), collated, at most `maxBatches`. */
export async function* collated(source: Source, collate: Collate, maxBatches = Number.POSITIVE_INFINITY): AsyncGenerator<Batch> {
  source.reset(0);
  for (let i = 0; i < maxBatches; i++) {
    const record = await source.next();
    if (record === null) return;
    yield await collate(record);
  }
}

export interface ActionEval {
  /** Rows with any action mask 1. */
  rows: number;
  /** Masked-in action entries × D (continuous) or action tokens (tokens mode). */
  entries: number;
  /** Mean squared / absolute error over masked-in entries (continuous mode), null otherwise. */
  mse: number | null;
  l1: number | null;
  /** Arg-max accuracy and cross-entropy over action-token positions (tokens mode), null otherwise. */
  tokenAccuracy: number | null;
  tokenLoss: number | null;
}

/** Action metrics on held-out robot data: MSE/L1 (continuous) or action-token accuracy (tokens mode). */
export async function evaluateActions(model: VlaModel, batches: Batches, options: { actionTokens?: TokenRange } = {}): Promise<ActionEval> {
  const c = model.config;
  let rows = 0;
  let entries = 0;
  let sq = 0;
  let abs = 0;
  let correct = 0;
  let nll = 0;
  for await (const batch of batches) {
    const p = prepareBatch(batch, c, options);
    rows += batch.numActionRows;
    const t = batchTensors(p, model);
    try {
      if (c.actionMode === "continuous") {
        const pred = valuesOf(() => model.forward(t.inputs, { text: false, action: true }).actions as Tensor);
        for (let i = 0; i < pred.length; i++) {
          const w = p.actionWeights[i] as number;
          if (w === 0) continue;
          const d = (pred[i] as number) - (p.actions[i] as number);
          sq += w * d * d;
          abs += w * Math.abs(d);
          entries += w;
        }
      } else {
        const logitsTensor = tf.tidy(() => model.forward(t.inputs, { text: true, action: false }).textLogits as Tensor);
        const logits = logitsTensor.dataSync();
        nll += valuesOf(() => maskedCrossEntropy(logitsTensor, t.targets, t.actionTokenWeights, 1))[0] as number;
        logitsTensor.dispose();
        for (let i = 0; i < p.actionTokenWeights.length; i++) {
          if (p.actionTokenWeights[i] === 0) continue;
          entries++;
          if (argmax(logits, i * c.vocabSize, c.vocabSize) === p.targets[i]) correct++;
        }
      }
    } finally {
      disposeBatchTensors(t);
    }
  }
  const continuous = c.actionMode === "continuous";
  const mean = (x: number): number | null => (entries > 0 ? x / entries : null);
  return { rows, entries, mse: continuous ? mean(sq) : null, l1: continuous ? mean(abs) : null, tokenAccuracy: continuous ? null : mean(correct), tokenLoss: continuous ? null : mean(nll) };
}

export interface TextEval {
  rows: number;
  /** Trained text tokens the loss averaged over. */
  tokens: number;
  loss: number | null;
  perplexity: number | null;
  /** Web (VQA) rows whose first answer (contiguous labeled span) was decoded greedily and compared token by token. */
  answered: number;
  exactMatch: number | null;
}

/** The first labeled span of a row: prompt = tokens before it, answer = its labels. */
export function answerSpan(batch: Batch, row: number): { prompt: number[]; answer: number[] } | null {
  const T = batch.seqLen;
  let start = -1;
  for (let t = 1; t < T; t++) if (batch.labels[row * T + t] !== IGNORE_INDEX) {
    start = t;
    break;
  }
  if (start < 0) return null;
  const answer: number[] = [];
  for (let t = start; t < T && batch.labels[row * T + t] !== IGNORE_INDEX; t++) answer.push(batch.labels[row * T + t] as number);
  return { prompt: Array.from(batch.inputIds.subarray(row * T, row * T + start)), answer };
}

/**
 * Text metrics on held-out VQA data: cross-entropy over trained labels and its perplexity, and exact-match
 * accuracy of greedy decoding: the model continues each row's prompt for as many tokens as its reference answer
 * (end-of-turn token included) and must reproduce it exactly. Token-level, so no tokenizer is needed. Exact
 * match covers web rows only (robot rows' labels may be action tokens); the loss covers every text label.
 */
export async function evaluateText(model: VlaModel, batches: Batches, options: { exactMatch?: boolean; actionTokens?: TokenRange } = {}): Promise<TextEval> {
  const c = model.config;
  let rows = 0;
  let tokens = 0;
  let nll = 0;
  let answered = 0;
  let matched = 0;
  for await (const batch of batches) {
    const p = prepareBatch(batch, c, options);
    rows += batch.size;
    tokens += p.counts.textTokens;
    const t = batchTensors(p, model);
    try {
      nll += tf.tidy(() => maskedCrossEntropy(model.forward(t.inputs, { text: true, action: false }).textLogits as Tensor, t.targets, t.textWeights, 1).dataSync()[0] as number);
    } finally {
      disposeBatchTensors(t);
    }
    if (options.exactMatch === false) continue;
    const spans = Array.from({ length: batch.size }, (_, b) => (batch.kinds[b] === KIND_VQA ? answerSpan(batch, b) : null));
    const rowsWith = spans.map((s, b) => (s ? b : -1)).filter((b) => b >= 0);
    if (rowsWith.length === 0) continue;
    const [, H, W, C] = batch.pixelShape;
    const pixels = new Float32Array(rowsWith.length * H * W * C);
    rowsWith.forEach((b, i) => pixels.set(batch.pixels.subarray(b * H * W * C, (b + 1) * H * W * C), i * H * W * C));
    const hasImage = batch.hasImage ? Uint8Array.from(rowsWith.map((b) => batch.hasImage[b] as number)) : undefined;
    const answers = rowsWith.map((b) => (spans[b] as { answer: number[] }).answer);
    const out = generate(model, { pixels, pixelShape: [rowsWith.length, H, W, C], prompts: rowsWith.map((b) => (spans[b] as { prompt: number[] }).prompt), hasImage }, { maxNewTokens: answers.map((a) => a.length) });
    answers.forEach((a, i) => {
      answered++;
      const got = out[i] as number[];
      if (got.length === a.length && got.every((id, j) => id === a[j])) matched++;
    });
  }
  const loss = tokens > 0 ? nll / tokens : null;
  return { rows, tokens, loss, perplexity: loss === null ? null : Math.exp(loss), answered, exactMatch: answered > 0 ? matched / answered : null };
}
