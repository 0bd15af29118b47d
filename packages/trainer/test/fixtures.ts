import { Rng } from "@cotrain/core";
import { IGNORE_INDEX, KIND_ROBOT, KIND_VQA } from "@cotrain/collator";
import type { Batch } from "@cotrain/collator";

/** One hand-made row: token ids, labels (aligned with ids, -100 = not trained), optional action. */
export interface RowSpec {
  kind: "robot" | "vqa";
  ids: number[];
  labels: number[];
  /** [H·D] values; absent on web rows. */
  action?: number[];
  /** [H] flags; defaults to 1 on robot rows, 0 on web rows. */
  actionMask?: number[];
  pixels?: Float32Array;
  source?: string;
  id?: string;
}

export interface BatchShape {
  image: [number, number, number];
  seqLen: number;
  actionDim: number;
  horizon: number;
  vocabSize: number;
  pad?: number;
}

/** Builds a Batch exactly as the collator's contract describes it, from explicit rows. */
export function makeBatch(rows: RowSpec[], shape: BatchShape): Batch {
  const B = rows.length;
  const T = shape.seqLen;
  const [h, w, c] = shape.image;
  const H = shape.horizon;
  const D = shape.actionDim;
  const pixels = new Float32Array(B * h * w * c);
  const inputIds = new Int32Array(B * T).fill(shape.pad ?? 0);
  const attentionMask = new Int32Array(B * T);
  const labels = new Int32Array(B * T).fill(IGNORE_INDEX);
  const actions = new Float32Array(B * H * D);
  const actionMask = new Float32Array(B * H);
  const kinds = new Uint8Array(B);
  const sourceNames = [...new Set(rows.map((r) => r.source ?? r.kind))];
  const sources = new Int32Array(B);
  const trainedPerRow = new Int32Array(B);
  let numTrainedTokens = 0;
  let numActionRows = 0;
  let numActionEntries = 0;
  rows.forEach((r, b) => {
    if (r.pixels) pixels.set(r.pixels, b * h * w * c);
    r.ids.forEach((id, t) => {
      inputIds[b * T + t] = id;
      attentionMask[b * T + t] = 1;
    });
    r.labels.forEach((l, t) => {
      labels[b * T + t] = l;
      if (l !== IGNORE_INDEX) {
        numTrainedTokens++;
        trainedPerRow[b]!++;
      }
    });
    kinds[b] = r.kind === "robot" ? KIND_ROBOT : KIND_VQA;
    sources[b] = sourceNames.indexOf(r.source ?? r.kind);
    if (r.action) actions.set(r.action, b * H * D);
    const mask = r.actionMask ?? new Array<number>(H).fill(r.kind === "robot" ? 1 : 0);
    mask.forEach((m, i) => {
      actionMask[b * H + i] = m;
      if (m) numActionEntries++;
    });
    if (mask.some((m) => m)) numActionRows++;
  });
  return {
    size: B,
    seqLen: T,
    pixels,
    pixelShape: [B, h, w, c],
    inputIds,
    attentionMask,
    labels,
    actions,
    actionShape: H === 1 ? [B, D] : [B, H, D],
    actionMask,
    actionMaskShape: H === 1 ? [B] : [B, H],
    kinds,
    sources,
    sourceNames,
    sampleIds: rows.map((r, i) => r.id ?? `row${i}`),
    numTrainedTokens,
    numActionRows,
    numActionEntries,
    trainedPerRow,
    hasImage: new Uint8Array(B).fill(1),
    imageMask: new Uint8Array(B).fill(1),
    actionFormat: "continuous",
    vocabSize: shape.vocabSize,
  };
}

/** A learnable toy task: the image's color class decides the robot action and the VQA answer token. */
export const TOY = { image: [16, 16, 3] as [number, number, number], seqLen: 8, actionDim: 3, horizon: 1, vocabSize: 16 };
const COLORS = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
  [1, 1, 0],
];
const BOS = 1;
const EOS = 2;
const ANSWER0 = 10;

export function toyRow(rng: Rng, kind: "robot" | "vqa"): RowSpec {
  const k = rng.int(COLORS.length);
  const [h, w, c] = TOY.image;
  const pixels = new Float32Array(h * w * c);
  for (let i = 0; i < h * w; i++) for (let ch = 0; ch < c; ch++) pixels[i * c + ch] = (COLORS[k]![ch]! - 0.5) * 2 + 0.1 * rng.normal();
  if (kind === "robot") {
    const action = [0, 1, 2].map((d) => (COLORS[k]![d]! - 0.5) * 1.5);
    return { kind, ids: [BOS, 3, 4, 5], labels: [-100, -100, -100, -100], action, pixels, source: "robot" };
  }
  return { kind, ids: [BOS, 6, 7, ANSWER0 + k, EOS], labels: [-100, -100, -100, ANSWER0 + k, EOS], pixels, source: "vqa" };
}

export function toyBatch(rng: Rng, size: number, robotShare = 0.5): Batch {
  const rows: RowSpec[] = [];
  const robots = Math.round(size * robotShare);
  for (let i = 0; i < size; i++) rows.push(toyRow(rng, i < robots ? "robot" : "vqa"));
  return makeBatch(rows, TOY);
}

export const TINY_MODEL = { imageSize: [16, 16] as [number, number], channels: 3, patchSize: 8, vocabSize: TOY.vocabSize, maxTextLen: 8, dim: 16, layers: 1, heads: 2, mlpRatio: 2, actionDim: 3, actionHorizon: 1, actionHidden: 16 };

// ---- a toy Source + collate pair for the training loop (real Source, real RecordBatches) ----
import { batchToRows, fromRows, shuffle } from "@cotrain/core";
import type { RowInput, Source } from "@cotrain/core";
import type { RecordBatch } from "apache-arrow";

/** Canonical rows whose content (color class, noise) the toy collate derives from the sample id. */
export function toyRows(count: number, robotShare = 0.5, prefix = "t"): RowInput[] {
  return Array.from({ length: count }, (_, i) => {
    const kind = i % Math.round(1 / robotShare) === 0 ? "robot" : "vqa";
    return { source: kind === "robot" ? "toy_robot" : "toy_vqa", kind, sample_id: `${prefix}${i}` } as RowInput;
  });
}

export function toySource(count = 64, batchSize = 8, seed = 3): Source {
  return shuffle(fromRows(toyRows(count), { batchSize }), { bufferSize: 32, seed, batchSize });
}

/** RecordBatch → Batch for toy rows: deterministic per sample id, like a real collator. */
export async function toyCollate(record: RecordBatch): Promise<Batch> {
  const rows = batchToRows(record).map((r) => ({ ...toyRow(Rng.from(7, r.sample_id), r.kind), source: r.source, id: r.sample_id }));
  return makeBatch(rows, TOY);
}
