import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { generateWorld } from "@cotrain/synth";
import { selectBackend } from "@cotrain/trainer";
import type { BackendPreference, BackendSelection } from "@cotrain/trainer";
import { DEFAULT_SIZES, QUICK_SIZES, SWEEP_SHARES } from "./demo-config.js";
import type { DemoSizes } from "./demo-config.js";
import { armDir, demoArms, measure, runPhase } from "./arms.js";
import type { ArmResult } from "./arms.js";
import { loadWorldData } from "./pipelines.js";
import { comparisonLines, resultTable, writeDemoReport } from "./demo-report.js";
import { summarizeSeeds } from "./seed-summary.js";
import type { SeedRun } from "./seed-summary.js";
import { createProgress } from "../progress.js";
import type { Progress } from "../progress.js";
import type { DemoResult } from "./demo-report.js";

export interface DemoOptions {
  /** The run folder (data/, runs/, report.html, results.json). */
  out: string;
  quick?: boolean;
  /** Overrides of the sizes (see demo-config.ts). */
  sizes?: Partial<DemoSizes>;
  /** Also fine-tune with the other web shares of SWEEP_SHARES (0.25, 0.75) and plot the measures against the share. */
  sweep?: boolean;
  /** Whole experiments with seeds seed, seed+1, …, seed+seeds−1 (default 1); each in OUT/seed-<n>/ when more than one. */
  seeds?: number;
  backend?: BackendPreference;
  /** Where progress and the table go (default process.stderr / the table to stdout by the caller). */
  log?: NodeJS.WritableStream & { isTTY?: boolean };
  command?: string;
}

/**
 * One whole experiment under `sizes.seed` in `dir`: generate the sample world, pretrain on VQA only, then fine-tune
 * every arm from that checkpoint with the same steps and seed, and measure what each arm kept and learned.
 */
async function runSeed(dir: string, sizes: DemoSizes, backend: BackendSelection, log: NodeJS.WritableStream & { isTTY?: boolean }, tag: string): Promise<SeedRun> {
  const started = Date.now();
  const say = (text: string): void => void log.write(`${text}\n`);
  await mkdir(dir, { recursive: true });
  await rm(join(dir, "runs"), { recursive: true, force: true }); // arms start fresh; nothing resumes by accident

  say(`[1/4]${tag} generating the sample world (${sizes.robotEpisodes} robot episodes, ${sizes.vqaEntries} VQA entries, ${sizes.imageSize}×${sizes.imageSize})`);
  const dataDir = join(dir, "data");
  let generating: Progress | null = null; // made at the first item, when the world knows its total
  const world = await generateWorld(dataDir, {
    seed: sizes.seed,
    robotEpisodes: sizes.robotEpisodes,
    vqaEntries: sizes.vqaEntries,
    imageSize: sizes.imageSize,
    formats: ["rlds", "llava"],
    onProgress: (done, total) => (generating ??= createProgress("      world", total, log, "items")).update(done),
  }).finally(() => generating?.stop());
  const data = await loadWorldData(dataDir, world);

  say(`[2/4]${tag} pretraining on VQA only (${sizes.pretrainSteps} steps): the stand-in for a pretrained VLM`);
  const pretrainDir = join(dir, "runs", "pretrain");
  const pre = await runPhase(data, sizes, { runDir: pretrainDir, webShare: 1, steps: sizes.pretrainSteps, backend, output: log });
  if (pre.checkpoint === null) throw new Error("pretraining wrote no checkpoint");
  const before = await measure(pre.model, data, sizes);
  pre.model.dispose();
  say(`      pretrained: VQA accuracy ${before.vqaAccuracy?.toFixed(3)}, action MSE ${before.actionMse?.toFixed(4)}`);

  const arms = demoArms(sizes.sweep);
  const results: ArmResult[] = [];
  for (const [i, arm] of arms.entries()) {
    say(`[3/4]${tag} fine-tuning arm ${i + 1}/${arms.length}: ${arm.name} (${sizes.finetuneSteps} steps from the pretrained checkpoint)`);
    const t0 = Date.now();
    const runDir = armDir(dir, arm.name);
    const result = await runPhase(data, sizes, { runDir, webShare: arm.webShare, actions: arm.actions, steps: sizes.finetuneSteps, initFrom: pre.checkpoint, backend, output: log });
    const measures = await measure(result.model, data, sizes, arm.actions);
    result.model.dispose();
    say(`      ${arm.name}: action MSE ${measures.actionMse?.toFixed(4)}, success ${measures.actionSuccess?.toFixed(2)}, zero-shot success ${measures.zeroShotSuccess?.toFixed(2)}, VQA accuracy ${measures.vqaAccuracy?.toFixed(3)}`);
    results.push({ ...arm, runDir, measures, seconds: (Date.now() - t0) / 1000 });
  }
  return { seed: sizes.seed, before, pretrainDir, arms: results, seconds: (Date.now() - started) / 1000 };
}

/**
 * The main job: the experiment of `runSeed` under one or more seeds, then the report: per arm the mean and range
 * over seeds, and whether each difference the experiment is about exceeds that spread.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult & { table: string; files: string[] }> {
  const started = Date.now();
  const base: DemoSizes = { ...(options.quick ? QUICK_SIZES : DEFAULT_SIZES), ...options.sizes };
  if (options.sweep) base.sweep = [...SWEEP_SHARES];
  const seeds = options.seeds ?? 1;
  if (!Number.isInteger(seeds) || seeds < 1) throw new RangeError(`seeds must be a positive integer, got ${seeds}`);
  const log = options.log ?? process.stderr;
  await mkdir(options.out, { recursive: true });
  const backend = await selectBackend(options.backend ?? "auto", { log: (line: string) => void log.write(`      ${line}\n`) });
  const runs: SeedRun[] = [];
  for (let k = 0; k < seeds; k++) {
    const seed = base.seed + k;
    const dir = seeds === 1 ? options.out : join(options.out, `seed-${seed}`);
    runs.push(await runSeed(dir, { ...base, seed }, backend, log, seeds === 1 ? "" : ` seed ${seed} (${k + 1}/${seeds}):`));
  }

  log.write("[4/4] writing the report\n");
  const summary = summarizeSeeds(runs);
  const flags = `${options.quick ? " --quick" : ""}${options.sweep ? " --sweep" : ""}${seeds > 1 ? ` --seeds ${seeds}` : ""}`;
  const result: DemoResult = {
    runs,
    summary,
    webShares: [...new Set(demoArms(base.sweep).filter((a) => a.actions === "continuous").map((a) => a.webShare))].sort((a, b) => a - b),
    backend: backend.backend,
    seconds: (Date.now() - started) / 1000,
    command: options.command ?? `cotrain demo${flags} --out ${options.out}`,
  };
  const files = await writeDemoReport(options.out, result);
  return { ...result, table: `${resultTable(summary)}\n\n${comparisonLines(summary).join("\n")}`, files };
}
