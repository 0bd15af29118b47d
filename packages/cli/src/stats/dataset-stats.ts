import { writeFile } from "node:fs/promises";
import type { Data } from "apache-arrow";
import { COLUMN, isCotrainError, map, readUtf8, rowAt, writeAtomically } from "@cotrain/core";
import { computeStats } from "@cotrain/robot";
import type { DatasetStats } from "@cotrain/robot";
import { openInput } from "../formats/open-input.js";
import type { InputSpec } from "../formats/open-input.js";
import type { OutputStream } from "../io.js";
import { episodeStarts, planProgress, progressPlan } from "../progress-plan.js";
import { VqaStatsBuilder } from "./vqa-stats.js";
import type { VqaStats } from "./vqa-stats.js";

/** What `cotrain stats` writes. */
export interface DatasetStatsReport {
  format: "cotrain.dataset-stats/1";
  input: { path: string; format: string };
  rows: number;
  /** Rows by kind ("robot", "vqa"). */
  kinds: Record<string, number>;
  /** Rows by the `source` column. */
  sources: Record<string, number>;
  /** Per-dimension action/state statistics (robot's computeStats: mean, std, min, max, q01, q99), or null without robot rows. */
  robot: DatasetStats | null;
  vqa: VqaStats | null;
}

export interface DatasetStatsOptions {
  progress?: OutputStream;
  baseDir?: string;
}

/**
 * Statistics of a dataset in one streaming pass: robot rows go through robot's computeStats (the numbers a
 * normalizer needs), VQA rows through counts of entries, turns, text lengths and images.
 */
export async function datasetStats(spec: InputSpec, options: DatasetStatsOptions = {}): Promise<DatasetStatsReport> {
  const input = await openInput(spec, { batchSize: 256, ...(options.baseDir ? { baseDir: options.baseDir } : {}) });
  const summary = await input.format.summarize(input.path, input.options).catch(() => null);
  const plan = progressPlan(summary);
  const progress = options.progress ? planProgress(`stats ${input.format.name}`, plan, options.progress) : null;
  let episodes = 0;
  const vqa = new VqaStatsBuilder();
  const kinds: Record<string, number> = {};
  const sources: Record<string, number> = {};
  let rows = 0;
  const observed = map(
    input.source,
    (batch) => {
      // Kinds and sources straight from their columns; only VQA rows are decoded whole (robot rows go to computeStats).
      const kind = batch.getChild(COLUMN.kind)?.data[0] as Data;
      const source = batch.getChild(COLUMN.source)?.data[0] as Data;
      for (let i = 0; i < batch.numRows; i++) {
        const k = readUtf8(kind, i) ?? "";
        const s = readUtf8(source, i) ?? "";
        kinds[k] = (kinds[k] ?? 0) + 1;
        sources[s] = (sources[s] ?? 0) + 1;
        if (k === "vqa") vqa.add(rowAt(batch, i));
      }
      rows += batch.numRows;
      if (plan.unit === "episodes") episodes += episodeStarts(batch);
      progress?.update(plan.unit === "episodes" ? episodes : rows, undefined, rows);
      return batch;
    },
    "stats",
  );
  let robot: DatasetStats | null = null;
  try {
    robot = await computeStats(observed);
  } catch (error) {
    // A source without any action (VQA data) has been read to its end all the same; only the robot part is empty.
    if (!(isCotrainError(error) && error.code === "STATS_EMPTY")) throw error;
  } finally {
    progress?.stop();
    await input.source.close?.();
  }
  return { format: "cotrain.dataset-stats/1", input: { path: input.path, format: input.format.name }, rows, kinds, sources, robot, vqa: vqa.result() };
}

export async function saveDatasetStats(path: string, report: DatasetStatsReport): Promise<void> {
  await writeAtomically(path, (tmp) => writeFile(tmp, `${JSON.stringify(report, null, 2)}\n`));
}
