import { join } from "node:path";
import { mix } from "@cotrain/mixer";
import { collated, evaluateActions, evaluateText, train } from "@cotrain/trainer";
import type { BackendSelection, TrainResult, VlaModel } from "@cotrain/trainer";
import type { Source } from "@cotrain/core";
import type { CollatorPool } from "@cotrain/collator";
import type { DemoSizes } from "./demo-config.js";
import { ROBOT, WEB, demoCollator, demoCollatorPool, robotSource, webSource } from "./pipelines.js";
import type { WorldData } from "./pipelines.js";

export interface Measures {
  /** Mean squared error of the normalized action on held-out episodes. */
  actionMse: number | null;
  /** …on the zero-shot split: instructions that name objects only the web data shows ("the red fruit"). */
  zeroShotMse: number | null;
  /** Greedy exact-match accuracy on held-out VQA. */
  vqaAccuracy: number | null;
  vqaLoss: number | null;
}

export interface ArmResult {
  name: string;
  webShare: number;
  runDir: string;
  measures: Measures;
  seconds: number;
}

/** The held-out measures of a model (evaluation collator: no augmentation). */
export async function measure(model: VlaModel, data: WorldData, sizes: DemoSizes): Promise<Measures> {
  const collate = demoCollator(sizes.imageSize, false);
  const batches = sizes.evalBatches;
  const robot = await evaluateActions(model, collated(await robotSource(data, "eval", sizes.seed), collate, batches));
  const hasZeroShot = (data.world.robot.splits.zeroshot?.episodes ?? 0) > 0;
  const zero = hasZeroShot ? await evaluateActions(model, collated(await robotSource(data, "zeroshot", sizes.seed), collate, batches)) : null;
  const vqa = await evaluateText(model, collated(webSource(data, "eval", sizes.seed), collate, batches), { exactMatch: true });
  return { actionMse: robot.mse, zeroShotMse: zero?.mse ?? null, vqaAccuracy: vqa.exactMatch, vqaLoss: vqa.loss };
}

export interface PhaseOptions {
  runDir: string;
  /** Share of web rows per batch: 1 = VQA only (pretraining), 0 = robot only, 0.5 = 1:1 co-training. */
  webShare: number;
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
  const collate = demoCollatorPool(sizes.imageSize);
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

export function armDir(root: string, name: string): string {
  return join(root, "runs", name.replace(/[^a-z0-9]+/gi, "-").toLowerCase());
}
