import { join } from "node:path";
import { mix } from "@cotrain/mixer";
import { collated, evaluateText, predictActions, train } from "@cotrain/trainer";
import type { ActionPredictions, BackendSelection, TrainResult, VlaModel } from "@cotrain/trainer";
import type { Source } from "@cotrain/core";
import type { CollatorPool } from "@cotrain/collator";
import type { DemoSizes } from "./demo-config.js";
import { ROBOT, WEB, demoCollator, demoCollatorPool, robotSource, webSource } from "./pipelines.js";
import type { ActionFormatName, WorldData } from "./pipelines.js";
import { scoreActions } from "./action-score.js";
import type { ActionScore } from "./action-score.js";

export interface Measures {
  /** Mean squared error of the normalized action on held-out episodes. */
  actionMse: number | null;
  /** Share of those episodes whose predicted actions move towards the named object (see action-score.ts). */
  actionSuccess: number | null;
  /** …on the zero-shot split: instructions that name objects only the web data shows ("the red fruit"). */
  zeroShotMse: number | null;
  zeroShotSuccess: number | null;
  /** Greedy exact-match accuracy on held-out VQA. */
  vqaAccuracy: number | null;
  vqaLoss: number | null;
  /** The counts behind the success rates (episodes, judged steps, per-step rate). */
  scores: { eval: ActionScore | null; zeroshot: ActionScore | null };
}

export const ROBOT_ONLY = "robot only";
export const COTRAIN = "co-train 1:1";
export const COTRAIN_TOKENS = "co-train 1:1 tokens";

export interface ArmSpec {
  name: string;
  webShare: number;
  actions: ActionFormatName;
}

export interface ArmResult extends ArmSpec {
  runDir: string;
  measures: Measures;
  seconds: number;
}

async function scoreSplit(model: VlaModel, data: WorldData, sizes: DemoSizes, split: "eval" | "zeroshot", actions: ActionFormatName): Promise<ActionScore> {
  const collate = demoCollator(data.tokenizer, sizes.imageSize, false, actions);
  const batches = collated(await robotSource(data, split, sizes.seed), collate, sizes.evalBatches);
  const options = collate.actionTokenizer ? { actionTokenizer: collate.actionTokenizer } : {};
  const predictions: ActionPredictions[] = [];
  for await (const p of predictActions(model, batches, options)) predictions.push(p);
  return scoreActions(predictions, (values) => data.normalizer.unnormalize(values));
}

/** The held-out measures of a model (evaluation collator: no augmentation). */
export async function measure(model: VlaModel, data: WorldData, sizes: DemoSizes, actions: ActionFormatName = "continuous"): Promise<Measures> {
  const hasZeroShot = (data.world.robot.splits.zeroshot?.episodes ?? 0) > 0;
  const robot = await scoreSplit(model, data, sizes, "eval", actions);
  const zero = hasZeroShot ? await scoreSplit(model, data, sizes, "zeroshot", actions) : null;
  // Web rows collate the same in both action formats.
  const vqa = await evaluateText(model, collated(webSource(data, "eval", sizes.seed), demoCollator(data.tokenizer, sizes.imageSize, false), sizes.evalBatches), { exactMatch: true });
  return {
    actionMse: robot.mse,
    actionSuccess: robot.successRate,
    zeroShotMse: zero?.mse ?? null,
    zeroShotSuccess: zero?.successRate ?? null,
    vqaAccuracy: vqa.exactMatch,
    vqaLoss: vqa.loss,
    scores: { eval: robot, zeroshot: zero },
  };
}

export interface PhaseOptions {
  runDir: string;
  /** Share of web rows per batch: 1 = VQA only (pretraining), 0 = robot only, 0.5 = 1:1 co-training. */
  webShare: number;
  /** How robot actions are trained (default continuous). */
  actions?: ActionFormatName;
  steps: number;
  initFrom?: string;
  backend: BackendSelection;
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * One training phase on an exact-per-batch mixture of the two sources, from `initFrom` when given. Every arm uses
 * the same seed, so arms differ only in their mixture.
 */
export async function runPhase(data: WorldData, sizes: DemoSizes, options: PhaseOptions): Promise<TrainResult> {
  const { webShare } = options;
  const sources = {
    ...(webShare < 1 ? { [ROBOT]: await robotSource(data, "train", sizes.seed) } : {}),
    ...(webShare > 0 ? { [WEB]: webSource(data, "train", sizes.seed) } : {}),
  };
  const weights = { ...(webShare < 1 ? { [ROBOT]: 1 - webShare } : {}), ...(webShare > 0 ? { [WEB]: webShare } : {}) };
  const source = mix({ sources, weights, batchSize: sizes.batchSize, mode: "exact", order: "shuffled", seed: sizes.seed, stop: { steps: options.steps } });
  const collate = demoCollatorPool(data.tokenizer, sizes.imageSize, options.actions ?? "continuous");
  try {
    return await trainPhase(source, collate, sizes, options);
  } finally {
    await collate.close();
  }
}

function trainPhase(source: Source, collate: CollatorPool, sizes: DemoSizes, options: PhaseOptions): Promise<TrainResult> {
  return train({
    runDir: options.runDir,
    source,
    collate,
    steps: options.steps,
    seed: sizes.seed,
    backend: options.backend,
    model: { ...sizes.model, maxTextLen: 128 },
    optimizer: { lr: sizes.lr, warmupSteps: Math.min(20, Math.floor(options.steps / 10)) },
    loss: { lambda: 1, action: "mse" },
    ...(options.initFrom ? { initFrom: options.initFrom } : {}),
    checkpointEvery: 0,
    keepCheckpoints: 1,
    // No evaluation inside the loop: `measure` runs once at the end of each phase, on more held-out data.
    progress: "auto",
    logEvery: Math.max(1, Math.floor(options.steps / 5)),
    output: options.output,
    handleSigint: true,
  });
}

/**
 * The fine-tuning arms: robot only and 1:1 co-training with the continuous action head, 1:1 co-training with
 * OpenVLA-style action tokens through the text head, and with `sweep` the other web shares of `sweepShares`.
 */
export function demoArms(sweepShares: readonly number[]): ArmSpec[] {
  return [
    { name: ROBOT_ONLY, webShare: 0, actions: "continuous" },
    { name: COTRAIN, webShare: 0.5, actions: "continuous" },
    { name: COTRAIN_TOKENS, webShare: 0.5, actions: "tokens" },
    ...sweepShares.filter((s) => s !== 0 && s !== 0.5).map((s): ArmSpec => ({ name: `co-train web ${s}`, webShare: s, actions: "continuous" })),
  ];
}

export function armDir(root: string, name: string): string {
  return join(root, "runs", name.replace(/[^a-z0-9]+/gi, "-").toLowerCase());
}
