import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, Rng, ValueError } from "@cotrain/core";
import type { RngState } from "@cotrain/core";
import type { Batch } from "@cotrain/collator";
import { tf } from "./tf.js";
import { selectBackend } from "./backend.js";
import type { BackendSelection } from "./backend.js";
import { clearCheckpointLeftovers, loadOptimizer, pruneCheckpoints, saveCheckpoint } from "./checkpoint.js";
import type { LoadReport, TrainerState } from "./checkpoint.js";
import { DEFAULT_OPTIMIZER, validateTrainConfig } from "./config.js";
import type { TrainConfig } from "./config.js";
import { Prefetcher, restoreCollator } from "./data.js";
import { MetricsWriter, sourceShares } from "./metrics.js";
import { SAMPLE_LOG_NAME, SampleLog } from "./sample-log.js";
import type { EvalMetrics, StepMetrics } from "./metrics.js";
import { prepareBatch } from "./model/inputs.js";
import type { PreparedBatch } from "./model/inputs.js";
import type { VlaModel } from "./model/vla.js";
import { AdamW } from "./optimizer/adamw.js";
import { learningRateAt, validateSchedule } from "./optimizer/schedule.js";
import { Progress } from "./progress.js";
import { describeEval, runEvaluation } from "./evaluation.js";
import { actionTokenRange, buildModel, CHECKPOINT_DIR, resolveResume, trainableParams, writeJsonAtomically } from "./setup.js";
import { trainStep } from "./step.js";

export interface TrainResult {
  runDir: string;
  /** The last completed step. */
  step: number;
  stoppedBy: "steps" | "signal" | "abort" | "end-of-data";
  /** The checkpoint written last (null if none was). */
  checkpoint: string | null;
  backend: BackendSelection;
  last: StepMetrics | null;
  evals: EvalMetrics[];
  /** The trained model; the caller owns it and frees it with `model.dispose()`. */
  model: VlaModel;
  /** What `initFrom` loaded (null without initFrom or on resume). */
  init: LoadReport | null;
}

const now = (): number => performance.now();

/**
 * Trains the VLA on `source` → `collate` (see TrainConfig). Writes `run.json` (backend and why, model, config),
 * `metrics.jsonl` (one line per step and per evaluation) and checkpoints under `runDir/checkpoints/`.
 * Stops after `steps`, at the end of the data, on SIGINT or when `signal` aborts; a stop finishes the current
 * step and writes a checkpoint. Tensor ownership: every tensor a step or an evaluation makes is freed by it; the
 * optimizer's moments are freed here; the returned model belongs to the caller.
 */
export async function train(config: TrainConfig): Promise<TrainResult> {
  validateTrainConfig(config);
  const out = config.output ?? process.stderr;
  const progress = new Progress({ mode: config.progress, stream: out, every: config.logEvery });
  const selection = typeof config.backend === "object" ? config.backend : await selectBackend(config.backend ?? "auto", { log: (l) => out.write(`${l}\n`) });
  if (tf.getBackend() !== selection.backend && !(await tf.setBackend(selection.backend))) {
    throw new ConfigError("BAD_BACKEND", `the selected backend "${selection.backend}" cannot be activated`, { field: "backend" });
  }
  mkdirSync(config.runDir, { recursive: true });
  const ckptRoot = join(config.runDir, CHECKPOINT_DIR);
  await clearCheckpointLeftovers(ckptRoot);
  const resume = await resolveResume(config);
  const saved: TrainerState | null = resume.state;
  if (saved) {
    config.source.restore(saved.source);
    restoreCollator(config.collate, saved.collator);
  }

  let model: VlaModel | null = null;
  const actionTokens = actionTokenRange(config);
  const prefetcher = new Prefetcher<{ batch: Batch; prepared: PreparedBatch | null }>(
    config.source,
    config.collate,
    (batch) => ({ batch, prepared: model ? prepareBatch(batch, model.config, { actionTokens }) : null }),
    saved?.epoch ?? 0,
  );
  let stopReason: TrainResult["stoppedBy"] | null = null;
  const onSigint = (): void => {
    stopReason = "signal";
    process.removeListener("SIGINT", onSigint);
    progress.log("SIGINT: finishing this step, then writing a checkpoint (Ctrl-C again aborts at once)");
  };
  if (config.handleSigint ?? true) process.on("SIGINT", onSigint);
  let optimizer: AdamW | null = null;
  try {
    let t0 = now();
    let item = await prefetcher.next();
    let firstWait = now() - t0;
    if (item === null) throw new ValueError("NO_DATA", "the data source yielded no batch", { field: "source" });
    const built = await buildModel(config, resume.path, item.value.batch);
    model = built.model;
    const trainable = trainableParams(model, config.freeze ?? []);
    const o = { ...DEFAULT_OPTIMIZER, warmupSteps: Math.min(100, Math.floor(config.steps / 10)), ...config.optimizer };
    const schedule = { lr: o.lr, warmupSteps: o.warmupSteps, totalSteps: config.steps, minLrRatio: o.minLrRatio };
    validateSchedule(schedule);
    optimizer = new AdamW({ beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon, weightDecay: o.weightDecay });
    if (resume.path) await loadOptimizer(resume.path, optimizer, model);
    const seed = config.seed ?? 0;
    const rng = saved ? Rng.fromState(saved.rng as unknown as RngState) : Rng.from(seed, "trainer");
    const lambda = config.loss?.lambda ?? 1;
    const actionLoss = config.loss?.action ?? "mse";
    const metrics = new MetricsWriter(join(config.runDir, "metrics.jsonl"));
    const startStep = saved?.step ?? 0;
    metrics.truncateAfter(startStep);
    const sampleLog = config.logSampleIds ? new SampleLog(join(config.runDir, SAMPLE_LOG_NAME)) : null;
    sampleLog?.truncateAfter(startStep);
    let samples = saved?.samples ?? 0;
    await writeJsonAtomically(join(config.runDir, "run.json"), {
      startedAt: new Date().toISOString(),
      backend: selection,
      model: model.config,
      numParams: model.numParams(),
      trainable: trainable.length,
      frozen: config.freeze ?? [],
      initFrom: config.initFrom ?? null,
      init: built.init,
      resumedFrom: resume.path,
      steps: config.steps,
      optimizer: o,
      loss: { lambda, action: actionLoss },
      seed,
      source: config.source.describe(),
      node: process.version,
    });
    progress.log(`model: ${model.numParams()} parameters (${trainable.length}/${model.params.size} tensors trainable)${resume.path ? `; resumed from ${resume.path} at step ${startStep}` : ""}`);

    let step = startStep;
    let last: StepMetrics | null = null;
    let lastCheckpoint: string | null = null;
    let lastSavedStep = -1;
    let lastEvalStep = -1;
    let pending = item;
    let waitedMs = 0;
    let busyMs = 0;
    const evals: EvalMetrics[] = [];
    const checkpoint = async (): Promise<void> => {
      const state: TrainerState = { step, epoch: pending.epoch, samples, source: pending.sourceState, collator: pending.collatorState, rng: [...rng.state()] as TrainerState["rng"], seed, backend: selection.backend };
      lastCheckpoint = await saveCheckpoint(ckptRoot, { model: model as VlaModel, optimizer: optimizer as AdamW, state });
      lastSavedStep = step;
      await pruneCheckpoints(ckptRoot, config.keepCheckpoints ?? 3);
    };
    const evaluate = async (): Promise<void> => {
      const line = await runEvaluation(model as VlaModel, config, step, actionTokens);
      lastEvalStep = step;
      metrics.write(line);
      evals.push(line);
      progress.log(describeEval(line));
      config.onEval?.(line);
    };

    progress.start(config.steps, startStep);
    while (step < config.steps) {
      if (step > startStep) {
        t0 = now();
        item = await prefetcher.next();
        firstWait = now() - t0;
        if (item === null) {
          stopReason = "end-of-data";
          break;
        }
        pending = item;
      }
      const prepared = pending.value.prepared ?? prepareBatch(pending.value.batch, model.config, { actionTokens });
      const lr = learningRateAt(step, schedule);
      const s0 = now();
      const dropout = model.config.dropout > 0 ? { rng, rate: model.config.dropout } : undefined;
      const r = trainStep(model, optimizer, prepared, { lambda, actionLoss, dropout, trainable, lr, clipNorm: o.clipNorm });
      const stepMs = now() - s0;
      pending.release(); // the step has read the pixels (as patches); the pool may fill the array again
      if (step > startStep) waitedMs += firstWait;
      busyMs += stepMs + (step > startStep ? firstWait : 0);
      step++;
      samples += prepared.size;
      const batch = prepared.batch;
      const stats = pending.sourceStats;
      last = {
        type: "train",
        step,
        epoch: pending.epoch,
        ...r,
        lr,
        rows: batch.size,
        actionRows: batch.numActionRows,
        actionEntries: model.config.actionMode === "tokens" ? prepared.counts.actionTokens : prepared.counts.actionEntries,
        trainedTokens: prepared.counts.textTokens,
        sourceShares: sourceShares(batch.sources, batch.sourceNames),
        stepMs,
        dataWaitMs: firstWait,
        dataWaitShare: busyMs > 0 ? waitedMs / busyMs : 0,
        samplesPerSec: (1000 * batch.size) / (stepMs + firstWait),
        numTensors: tf.memory().numTensors,
        ...(stats === undefined ? {} : { sourceStats: stats }),
        time: new Date().toISOString(),
      };
      metrics.write(last);
      sampleLog?.write({ step, epoch: pending.epoch, sources: Array.from(batch.sources, (i) => batch.sourceNames[i] ?? String(i)), ids: batch.sampleIds });
      progress.update(last);
      config.onStep?.(last);
      if (!Number.isFinite(r.loss)) throw new ValueError("LOSS_NOT_FINITE", `the loss became ${r.loss} at step ${step} (lr ${lr}); lower optimizer.lr or check the data`, { field: "loss" });
      if (config.signal?.aborted) stopReason = stopReason ?? "abort";
      const every = config.checkpointEvery ?? 0;
      if (stopReason !== null || step === config.steps || (every > 0 && step % every === 0)) await checkpoint();
      if (config.evaluation && (step % config.evaluation.every === 0 || step === config.steps)) await evaluate();
      if (stopReason !== null) break;
    }
    if (lastSavedStep !== step && step > startStep) await checkpoint();
    if (config.evaluation && lastEvalStep !== step && stopReason === "end-of-data") await evaluate();
    progress.stop();
    progress.log(`stopped at step ${step} (${stopReason ?? "steps"}); checkpoint ${lastCheckpoint ?? "none"}`);
    return { runDir: config.runDir, step, stoppedBy: stopReason ?? "steps", checkpoint: lastCheckpoint, backend: selection, last, evals, model, init: built.init };
  } catch (error) {
    model?.dispose();
    throw error;
  } finally {
    progress.stop();
    process.removeListener("SIGINT", onSigint);
    await prefetcher.drain();
    optimizer?.dispose();
  }
}
