import { existsSync } from "node:fs";
import { writeFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError, MissingError } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";
import type { Batch } from "@cotrain/collator";
import { tf } from "./tf.js";
import { assignWeights, latestCheckpoint, loadModel, readModelWeights, readTrainerState } from "./checkpoint.js";
import type { LoadReport, TrainerState } from "./checkpoint.js";
import { inferModelOptions } from "./config.js";
import type { TrainConfig } from "./config.js";
import type { TokenRange } from "./model/inputs.js";
import { VlaModel } from "./model/vla.js";

export const CHECKPOINT_DIR = "checkpoints";

/** The checkpoint to resume from (null: fresh start) and its trainer state. */
export async function resolveResume(config: TrainConfig): Promise<{ path: string | null; state: TrainerState | null }> {
  if (!config.resume) return { path: null, state: null };
  const path = config.resume === true ? latestCheckpoint(join(config.runDir, CHECKPOINT_DIR)) : config.resume;
  if (path === null) return { path: null, state: null };
  if (!existsSync(path)) throw new MissingError("CHECKPOINT_MISSING", "the checkpoint to resume from does not exist", { file: path, field: "resume" });
  return { path, state: await readTrainerState(path) };
}

/** The model: from the resume checkpoint, or fresh (then optionally initialized from `initFrom`). */
export async function buildModel(config: TrainConfig, resumePath: string | null, first: Batch): Promise<{ model: VlaModel; init: LoadReport | null }> {
  if (resumePath !== null) return { model: await loadModel(resumePath), init: null };
  const model = VlaModel.create(inferModelOptions(config.model, config.collate, first), config.seed ?? 0);
  if (config.initFrom === undefined) return { model, init: null };
  const { weights } = await readModelWeights(config.initFrom);
  try {
    return { model, init: assignWeights(model, weights, false, config.initFrom) };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    tf.dispose([...weights.values()]);
  }
}

/** Trainable parameter names; a freeze prefix that matches nothing is a typo and fails loudly. */
export function trainableParams(model: VlaModel, freeze: readonly string[]): string[] {
  for (const prefix of freeze) {
    if (model.trainableNames([prefix]).length === model.params.size) {
      throw new ConfigError("BAD_FREEZE", `\`freeze\` prefix ${JSON.stringify(prefix)} matches no parameter (names look like ${[...model.params.keys()].slice(0, 4).join(", ")}, ...)`, { field: "freeze" });
    }
  }
  const names = model.trainableNames(freeze);
  if (names.length === 0) throw new ConfigError("BAD_FREEZE", "`freeze` leaves no parameter to train", { field: "freeze" });
  return names;
}

/** The tokens-mode action id range: given, else the collator's action tokenizer range. */
export function actionTokenRange(config: TrainConfig): TokenRange | undefined {
  if (config.actionTokens) return config.actionTokens;
  const t = config.collate.actionTokenizer;
  return t ? { start: t.firstId, end: t.endId } : undefined;
}

export async function writeJsonAtomically(path: string, value: JsonValue | object): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(value, null, 2));
  await rename(tmp, path);
}
