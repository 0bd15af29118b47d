import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { generateWorld } from "@cotrain/synth";
import { selectBackend } from "@cotrain/trainer";
import type { BackendPreference } from "@cotrain/trainer";
import { DEFAULT_SIZES, QUICK_SIZES } from "./demo-config.js";
import type { DemoSizes } from "./demo-config.js";
import { armDir, measure, runPhase } from "./arms.js";
import type { ArmResult } from "./arms.js";
import { loadWorldData } from "./pipelines.js";
import { resultTable, writeDemoReport } from "./demo-report.js";
import { createProgress } from "../progress.js";
import type { Progress } from "../progress.js";
import type { DemoResult } from "./demo-report.js";

export interface DemoOptions {
  /** The run folder (data/, runs/, report.html, results.json). */
  out: string;
  quick?: boolean;
  /** Overrides of the sizes (see demo-config.ts). */
  sizes?: Partial<DemoSizes>;
  /** Also fine-tune with web shares 0.25 and 0.75. */
  sweep?: boolean;
  backend?: BackendPreference;
  /** Where progress and the table go (default process.stderr / the table to stdout by the caller). */
  log?: NodeJS.WritableStream & { isTTY?: boolean };
  command?: string;
}

/**
 * The main job: generate the sample world, pretrain on VQA only, then fine-tune (a) on robot data only and (b)
 * co-trained 1:1 from the same checkpoint with the same steps and seed, and measure what each arm kept and learned.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult & { table: string; files: string[] }> {
  const started = Date.now();
  const sizes: DemoSizes = { ...(options.quick ? QUICK_SIZES : DEFAULT_SIZES), ...options.sizes };
  if (options.sweep) sizes.sweep = [0.25, 0.75];
  const log = options.log ?? process.stderr;
  const say = (text: string): void => void log.write(`${text}\n`);
  await mkdir(options.out, { recursive: true });
  await rm(join(options.out, "runs"), { recursive: true, force: true }); // arms start fresh; nothing resumes by accident

  say(`[1/4] generating the sample world (${sizes.robotEpisodes} robot episodes, ${sizes.vqaEntries} VQA entries, ${sizes.imageSize}×${sizes.imageSize})`);
  const dataDir = join(options.out, "data");
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
  const backend = await selectBackend(options.backend ?? "auto", { log: (line: string) => say(`      ${line}`) });

  say(`[2/4] pretraining on VQA only (${sizes.pretrainSteps} steps): the stand-in for a pretrained VLM`);
  const pretrainDir = join(options.out, "runs", "pretrain");
  const pre = await runPhase(data, sizes, { runDir: pretrainDir, webShare: 1, steps: sizes.pretrainSteps, backend, output: log });
  if (pre.checkpoint === null) throw new Error("pretraining wrote no checkpoint");
  const before = await measure(pre.model, data, sizes);
  pre.model.dispose();
  say(`      pretrained: VQA accuracy ${before.vqaAccuracy?.toFixed(3)}, action MSE ${before.actionMse?.toFixed(4)}`);

  const arms = [
    { name: "robot only", webShare: 0 },
    { name: "co-train 1:1", webShare: 0.5 },
    ...sizes.sweep.filter((s) => s !== 0 && s !== 0.5).map((s) => ({ name: `co-train web ${s}`, webShare: s })),
  ];
  const results: ArmResult[] = [];
  for (const [i, arm] of arms.entries()) {
    say(`[3/4] fine-tuning arm ${i + 1}/${arms.length}: ${arm.name} (${sizes.finetuneSteps} steps from the pretrained checkpoint)`);
    const t0 = Date.now();
    const runDir = armDir(options.out, arm.name);
    const result = await runPhase(data, sizes, { runDir, webShare: arm.webShare, steps: sizes.finetuneSteps, initFrom: pre.checkpoint, backend, output: log });
    const measures = await measure(result.model, data, sizes);
    result.model.dispose();
    results.push({ ...arm, runDir, measures, seconds: (Date.now() - t0) / 1000 });
  }

  say("[4/4] writing the report");
  const result: DemoResult = {
    before,
    pretrainDir,
    arms: results,
    backend: backend.backend,
    seconds: (Date.now() - started) / 1000,
    command: options.command ?? `cotrain demo${options.quick ? " --quick" : ""} --out ${options.out}`,
  };
  const files = await writeDemoReport(options.out, result);
  return { ...result, table: resultTable(result), files };
}
