import type { RecordBatch } from "apache-arrow";
import { COLUMN, map } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import type { DatasetSummary } from "./formats/registry.js";
import { createProgress } from "./progress.js";
import type { OutputStream } from "./io.js";
import type { Progress } from "./progress.js";

/**
 * What a pass over a dataset counts for its bar and ETA: rows (steps) when the metadata gives their number; else
 * episodes when it gives those (RLDS's dataset_info.json counts episodes, not steps), with the rate still in rows;
 * else rows with no total (a LLaVA file streamed to its end).
 */
export interface ProgressPlan {
  total: number | null;
  unit: "rows" | "episodes";
}

export function progressPlan(summary: DatasetSummary | null): ProgressPlan {
  const rows = summary?.counts.steps ?? summary?.counts.rows;
  if (rows !== undefined) return { total: rows, unit: "rows" };
  const episodes = summary?.counts.episodes;
  if (episodes !== undefined) return { total: episodes, unit: "episodes" };
  return { total: null, unit: "rows" };
}

export function planProgress(label: string, plan: ProgressPlan, stream: OutputStream): Progress {
  return createProgress(label, plan.total, stream, plan.unit, { rateUnit: "rows" });
}

/** Rows with `is_first` set: the episodes that start in this batch. */
export function episodeStarts(batch: RecordBatch): number {
  const column = batch.getChild(COLUMN.isFirst);
  if (column === null) return 0;
  let n = 0;
  for (let i = 0; i < batch.numRows; i++) if (column.get(i) === true) n++;
  return n;
}

/**
 * The source, reporting rows and episodes to `progress` as its batches pass (by the plan's unit). It describes
 * itself as the source does: a display is no stage of the pipeline (a shard manifest records `describe()`, and a
 * resumed conversion must find the same one).
 */
export function withProgress(source: Source, progress: Progress, plan: ProgressPlan): Source {
  let rows = 0;
  let episodes = 0;
  const counted = map(
    source,
    (batch) => {
      rows += batch.numRows;
      if (plan.unit === "episodes") episodes += episodeStarts(batch);
      progress.update(plan.unit === "episodes" ? episodes : rows, undefined, rows);
      return batch;
    },
    "progress",
  );
  return { ...counted, describe: () => source.describe() };
}
