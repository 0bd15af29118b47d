import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ConfigError } from "@cotrain/core";
import { normalizeSource, saveStats } from "@cotrain/robot";
import type { BackendPreference, EvalMetrics, EvalSet, StepMetrics, TrainConfig } from "@cotrain/trainer";
import { loadConfig, resolveFrom } from "../config/load-config.js";
import { buildMixer } from "../config/build-mixer.js";
import { configRunDir } from "../config/run-dir.js";
import { buildSource, buildSources, closeAll } from "../config/build-sources.js";
import type { BuiltSource } from "../config/build-sources.js";
import { trainConfigSchema } from "../config/schema.js";
import type { TrainFileConfig } from "../config/schema.js";
import type { OutputStream } from "../io.js";
import { buildCollator } from "./build-collator.js";
import type { CollatorPool } from "@cotrain/collator";

export interface RunTrainingOptions {
  /** The run folder (overrides the config's runDir; relative to the working directory). */
  out?: string;
  /** Overrides train.steps. */
  steps?: number;
  /** Overrides train.backend. */
  backend?: BackendPreference;
  /** Continue from the latest checkpoint in the run folder. */
  resume?: boolean;
  /** Overrides collator.workers. */
  workers?: number;
  /** Progress and messages (default process.stderr). */
  output?: OutputStream;
}

export interface TrainingSummary {
  runDir: string;
  step: number;
  stoppedBy: string;
  checkpoint: string | null;
  backend: string;
  last: StepMetrics | null;
  evals: EvalMetrics[];
}

/** The copy of the config a run folder keeps (with the file and folder its relative paths resolve against). */
export const RUN_CONFIG_NAME = "cotrain-config.json";

/**
 * Runs `cotrain train CONFIG`: builds the sources, the mixer, the collator and the evaluation sets from the config
 * file, trains (trainer's `train`), and leaves run.json, metrics.jsonl, checkpoints/ and the config in the run folder.
 */
export async function runTraining(configPath: string, options: RunTrainingOptions = {}): Promise<TrainingSummary> {
  const { config, dir } = await loadConfig(configPath, trainConfigSchema);
  const runDir = options.out !== undefined ? resolve(options.out) : config.runDir !== undefined ? configRunDir(dir, config.runDir, configPath) : null;
  if (runDir === null) throw new ConfigError("CONFIG_INVALID", "no run folder: set runDir in the config or pass --out", { file: configPath, field: "runDir" });
  const t = config.train;
  const ctx = { dir, file: configPath };
  const sources = await buildSources(config.sources, ctx);
  const opened: BuiltSource[] = [...sources];
  let pool: CollatorPool | null = null;
  try {
    refuseRobotWithoutActions(config, sources, configPath);
    const mixer = buildMixer(sources, config.mixture, configPath);
    const collate = await buildCollator(config.collator, dir, sources.map((s) => s.name), options.workers === undefined ? {} : { workers: options.workers });
    pool = collate;
    const evaluation = config.evaluation ? await buildEvaluation(config, ctx, sources, opened) : undefined;
    await mkdir(runDir, { recursive: true });
    await writeFile(join(runDir, RUN_CONFIG_NAME), `${JSON.stringify({ configFile: resolve(configPath), configDir: dir, config }, null, 2)}\n`);
    for (const s of sources) if (s.stats) await saveStats(join(runDir, `stats-${s.name}.json`), s.stats);
    const resume = options.resume ? true : typeof t.resume === "string" ? resolveFrom(dir, t.resume) : t.resume;
    const trainConfig: TrainConfig = {
      runDir,
      source: mixer,
      collate,
      steps: options.steps ?? t.steps,
      ...(config.model ? { model: config.model } : {}),
      ...(t.seed !== undefined ? { seed: t.seed } : {}),
      backend: options.backend ?? t.backend ?? "auto",
      ...(t.optimizer ? { optimizer: t.optimizer } : {}),
      ...(t.loss ? { loss: t.loss } : {}),
      ...(t.freeze ? { freeze: t.freeze } : {}),
      ...(t.initFrom ? { initFrom: resolveFrom(dir, t.initFrom) } : {}),
      ...(resume !== undefined ? { resume } : {}),
      ...(t.checkpointEvery !== undefined ? { checkpointEvery: t.checkpointEvery } : {}),
      ...(t.keepCheckpoints !== undefined ? { keepCheckpoints: t.keepCheckpoints } : {}),
      ...(t.logEvery !== undefined ? { logEvery: t.logEvery } : {}),
      ...(t.progress ? { progress: t.progress } : {}),
      ...(t.logSampleIds ? { logSampleIds: true } : {}),
      ...(evaluation ? { evaluation } : {}),
      ...(options.output ? { output: options.output as NodeJS.WritableStream & { isTTY?: boolean } } : {}),
    };
    const { train } = await import("@cotrain/trainer"); // tfjs loads only when a run starts
    const result = await train(trainConfig);
    result.model.dispose();
    await mixer.close?.();
    return { runDir, step: result.step, stoppedBy: result.stoppedBy, checkpoint: result.checkpoint, backend: result.backend.backend, last: result.last, evals: result.evals };
  } finally {
    await pool?.close();
    await closeAll(opened.map((s) => s.source));
  }
}

/**
 * A robot source with `collator.actions` left out would reach the collator, which refuses it at its first robot
 * row; said here instead, before training starts, naming the config key. (Shards of mixed kinds are only known
 * when read: the collator's own error covers them.)
 */
function refuseRobotWithoutActions(config: TrainFileConfig, sources: readonly BuiltSource[], file: string): void {
  if (config.collator.actions !== undefined) return;
  const robot = sources.find((s) => s.input.format.kind === "robot");
  if (robot === undefined) return;
  throw new ConfigError(
    "CONFIG_INVALID",
    `source ${JSON.stringify(robot.name)} is robot data (${robot.input.format.name}) but collator.actions is not set, so its actions would not be trained: set collator.actions ({type: continuous, dim: D} or {type: tokens, dim: D}), or {type: none} to train robot rows on text only`,
    { file, field: "collator.actions" },
  );
}

async function buildEvaluation(config: TrainFileConfig, ctx: { dir: string; file: string }, sources: readonly BuiltSource[], opened: BuiltSource[]): Promise<NonNullable<TrainConfig["evaluation"]>> {
  const e = config.evaluation!;
  const batchSize = e.batchSize ?? config.mixture.batchSize;
  const set = async (key: "robot" | "vqa"): Promise<EvalSet | undefined> => {
    const spec = e[key];
    if (!spec) return undefined;
    const built = await buildSource(`eval-${key}`, spec, ctx, `evaluation.${key}`, batchSize, undefined);
    opened.push(built);
    const like = key === "robot" && e.normalizeAs ? sources.find((s) => s.name === e.normalizeAs) : undefined;
    const source = like ? normalizeSource(built.source, like.normalizers) : built.source;
    return { source, ...(e.maxBatches ? { maxBatches: e.maxBatches } : {}) };
  };
  const robot = await set("robot");
  const vqa = await set("vqa");
  return { every: e.every, ...(robot ? { robot } : {}), ...(vqa ? { vqa } : {}), ...(e.exactMatch !== undefined ? { exactMatch: e.exactMatch } : {}) };
}
