import type { JsonValue } from "@cotrain/core";
import { StepLog, readJsonLines } from "./json-lines.js";

/** One line of `metrics.jsonl` per optimizer step (type "train") and per evaluation (type "eval"). */
export interface StepMetrics {
  type: "train";
  step: number;
  epoch: number;
  /** L = actionLoss + lambda · textLoss. */
  loss: number;
  actionLoss: number;
  textLoss: number;
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  rows: number;
  actionRows: number;
  /** Masked-in action entries (rows × real chunk steps); tokens mode: action tokens trained. */
  actionEntries: number;
  trainedTokens: number;
  /** This batch's rows per source, as fractions of the batch. */
  sourceShares: Record<string, number>;
  /** Milliseconds of the optimizer step (forward, backward, update, one sync). */
  stepMs: number;
  /** Milliseconds the loop waited for the prefetched batch before the step could start. */
  dataWaitMs: number;
  /**
   * Data wait as a share of wall time since this run (or resume) started, after its first step: the loader keeps
   * up when it stays near 0 (the first batch, which also waits for worker start-up, is not counted).
   */
  dataWaitShare: number;
  samplesPerSec: number;
  /** tf.memory().numTensors after the step (flat across steps unless something leaks). */
  numTensors: number;
  /** The data source's stats() (the mixer's cumulative per-source accounting), when it has one. */
  sourceStats?: JsonValue;
  time: string;
}

export interface EvalMetrics {
  type: "eval";
  step: number;
  robot?: Record<string, number | null>;
  vqa?: Record<string, number | null>;
  time: string;
}

export type MetricsLine = StepMetrics | EvalMetrics;

/** `metrics.jsonl`: one line per optimizer step and per evaluation, cut back to the checkpoint on resume. */
export class MetricsWriter extends StepLog<MetricsLine> {}

export const readMetrics = (path: string): MetricsLine[] => readJsonLines<MetricsLine>(path);

/** Fractions of the batch's rows per source name. */
export function sourceShares(sources: Int32Array, names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of sources) {
    const name = names[s] ?? String(s);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  for (const k of Object.keys(counts)) counts[k] = (counts[k] as number) / Math.max(1, sources.length);
  return counts;
}
