import { ConfigError, isSource } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import type { Batch } from "@cotrain/collator";
import type { BackendPreference, BackendSelection } from "./backend.js";
import type { Collate } from "./data.js";
import type { EvalMetrics, StepMetrics } from "./metrics.js";
import type { ModelConfig } from "./model/config.js";
import type { TokenRange } from "./model/inputs.js";
import type { ActionLossKind } from "./loss.js";
import type { ProgressMode } from "./progress.js";
import type { AdamWOptions } from "./optimizer/adamw.js";

/** Held-out data for evaluation: a source read from its start each time, or fixed Batches. */
export type EvalSet = { source: Source; collate?: Collate; maxBatches?: number } | { batches: Batch[] };

export interface OptimizerConfig extends AdamWOptions {
  lr: number;
  warmupSteps: number;
  minLrRatio: number;
  /** Global gradient-norm clip (0 disables). */
  clipNorm: number;
}

export interface TrainConfig {
  /** Where metrics.jsonl, run.json and checkpoints/ go (created if missing). */
  runDir: string;
  /** Canonical RecordBatches, e.g. the mixer's output. */
  source: Source;
  /** RecordBatch → Batch, e.g. `createCollator(...)`. */
  collate: Collate;
  /** Total optimizer steps of the run (a resumed run continues up to this). */
  steps: number;
  /**
   * Model sizes. Unset fields come from the data where they can (vocabSize from the collator, image size and
   * channels, action D and H from the first batch, actionMode from its actionFormat), else DEFAULT_MODEL.
   */
  model?: Partial<ModelConfig>;
  /** Seed of weight init and dropout (default 0). */
  seed?: number;
  /** "auto" (default) or an explicit backend, or a selection already made with selectBackend. */
  backend?: BackendPreference | BackendSelection;
  optimizer?: Partial<OptimizerConfig>;
  loss?: { lambda?: number; action?: ActionLossKind };
  /** Tokens mode: the action-token id range (default: the collator's actionTokenizer range). */
  actionTokens?: TokenRange;
  /** Parameter-name prefixes to keep fixed ("patch", "block0", "token_embed"). */
  freeze?: string[];
  /** A checkpoint directory to initialize weights from (by name; missing ones keep their init). */
  initFrom?: string;
  /** true: continue from the latest checkpoint in runDir (fresh start if none); a path: from that checkpoint. */
  resume?: boolean | string;
  /** Save every N steps (0: only at the end). The last step and a stop always save. */
  checkpointEvery?: number;
  /** Keep the newest N checkpoints (default 3; 0 keeps all). */
  keepCheckpoints?: number;
  evaluation?: { every: number; robot?: EvalSet; vqa?: EvalSet; exactMatch?: boolean };
  progress?: ProgressMode;
  /** Lines mode: log every N steps (default 10). */
  logEvery?: number;
  /**
   * Write `samples.jsonl` in runDir: per step, the source and sample_id of every row it trained on (SampleLog), kept
   * consistent with the checkpoints on resume. Off by default: a line per step of batch-size ids.
   */
  logSampleIds?: boolean;
  /** Where progress and messages go (default process.stderr). */
  output?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Stop (after the current step, with a checkpoint) when aborted. */
  signal?: AbortSignal;
  /** Install a SIGINT handler for a graceful stop (default true). */
  handleSigint?: boolean;
  onStep?: (metrics: StepMetrics) => void;
  onEval?: (metrics: EvalMetrics) => void;
}

export const DEFAULT_OPTIMIZER: Omit<OptimizerConfig, "warmupSteps"> = { lr: 1e-3, minLrRatio: 0.1, clipNorm: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };

export function validateTrainConfig(c: TrainConfig): void {
  if (c === null || typeof c !== "object") throw new ConfigError("BAD_TRAIN_CONFIG", `train needs a config object, got ${String(c)}`);
  if (typeof c.runDir !== "string" || c.runDir === "") throw new ConfigError("BAD_TRAIN_CONFIG", `\`runDir\` must be a directory path, got ${JSON.stringify(c.runDir)}`, { field: "runDir" });
  if (!isSource(c.source)) throw new ConfigError("BAD_TRAIN_CONFIG", "`source` must be a Source (next/state/restore)", { field: "source" });
  if (typeof c.collate !== "function") throw new ConfigError("BAD_TRAIN_CONFIG", "`collate` must be a function RecordBatch → Batch (createCollator)", { field: "collate" });
  if (!Number.isInteger(c.steps) || c.steps <= 0) throw new ConfigError("BAD_TRAIN_CONFIG", `\`steps\` must be a positive integer, got ${JSON.stringify(c.steps)}`, { field: "steps" });
  for (const key of ["checkpointEvery", "keepCheckpoints", "logEvery"] as const) {
    const v = c[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new ConfigError("BAD_TRAIN_CONFIG", `\`${key}\` must be a non-negative integer, got ${JSON.stringify(v)}`, { field: key });
  }
  if (c.evaluation && (!Number.isInteger(c.evaluation.every) || c.evaluation.every <= 0)) throw new ConfigError("BAD_TRAIN_CONFIG", `\`evaluation.every\` must be a positive integer, got ${JSON.stringify(c.evaluation.every)}`, { field: "evaluation.every" });
  const lambda = c.loss?.lambda;
  if (lambda !== undefined && !(lambda >= 0 && Number.isFinite(lambda))) throw new ConfigError("BAD_TRAIN_CONFIG", `\`loss.lambda\` must be a non-negative number, got ${lambda}`, { field: "loss.lambda" });
  const action = c.loss?.action;
  if (action !== undefined && action !== "mse" && action !== "l1") throw new ConfigError("BAD_TRAIN_CONFIG", `\`loss.action\` must be "mse" or "l1", got ${JSON.stringify(action)}`, { field: "loss.action" });
}

/** Model options completed from the collator and the first batch (see TrainConfig.model). */
export function inferModelOptions(given: Partial<ModelConfig> | undefined, collate: Collate, first: Batch): Partial<ModelConfig> & { vocabSize: number } {
  const [, H, W, C] = first.pixelShape;
  if (!(H > 0 && W > 0 && C > 0)) throw new ConfigError("NO_PIXELS", "the collated batch has no pixels; the model needs images (set the collator's `image` option)", { field: "pixels" });
  const shape = first.actionShape;
  const out: Partial<ModelConfig> & { vocabSize: number } = {
    imageSize: [H, W],
    channels: C,
    maxTextLen: Math.max(64, first.seqLen),
    actionMode: first.actionFormat === "tokens" ? "tokens" : "continuous",
    ...(first.actionFormat === "continuous" && shape.length >= 2 ? { actionDim: shape[shape.length - 1] as number, actionHorizon: shape.length === 3 ? (shape[1] as number) : 1 } : {}),
    ...given,
    vocabSize: given?.vocabSize ?? collate.vocabSize ?? first.vocabSize,
  };
  if (!Number.isInteger(out.vocabSize) || out.vocabSize <= 0) throw new ConfigError("BAD_MODEL", "`model.vocabSize` is unknown: set it, or use a collator that reports vocabSize", { field: "model.vocabSize" });
  return out;
}
