import type { Data, RecordBatch } from "apache-arrow";
import { COLUMN, ValueError, isSource, isValid, readBool, readUtf8 } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import type { Episode } from "../episode.js";
import type { DatasetStats } from "./dataset-stats.js";
import { FeatureAccumulator } from "./feature-accumulator.js";
import type { SketchOptions } from "./quantile-sketch.js";

export type ComputeStatsOptions = SketchOptions;

/**
 * Per-dimension mean, std, min, max, q01 and q99 of actions and states, in one streaming pass over either a Source
 * of canonical rows (read to the end of its current epoch; chunked rows count their first action only, rows
 * without an action are ignored) or episodes (an array or async iterable, e.g. `readRldsEpisodes(dir)`, which
 * skips building rows). Memory is bounded by the quantile sketches, not the dataset (see QuantileSketch).
 */
export async function computeStats(input: Source | Iterable<Episode> | AsyncIterable<Episode>, options: ComputeStatsOptions = {}): Promise<DatasetStats> {
  const action = new FeatureAccumulator("action", options);
  const state = new FeatureAccumulator("state", options);
  const sources = new Set<string>();
  let episodes = 0;
  if (isSource(input)) {
    for (let batch = await input.next(), b = 0; batch !== null; batch = await input.next(), b++) {
      episodes += addBatch(batch, b, action, state, sources);
    }
  } else {
    for await (const episode of input as AsyncIterable<Episode>) {
      const where = { id: episode.id, row: episode.index };
      sources.add(episode.source);
      action.add(episode.actions, 0, episode.actionDim, episode.length, where);
      if (episode.states) state.add(episode.states, 0, episode.stateDim, episode.length, where);
      episodes++;
    }
  }
  const actionStats = action.result();
  if (actionStats === null) throw new ValueError("STATS_EMPTY", "no step with an action was seen; statistics need robot rows", { field: "action" });
  const sketch = { relativeAccuracy: options.relativeAccuracy ?? 0.005, minMagnitude: options.minMagnitude ?? 1e-6 };
  return {
    format: "cotrain.stats/1",
    sources: [...sources].sort(),
    numTransitions: action.count,
    numTrajectories: episodes,
    quantiles: { method: "log-bucket-sketch", ...sketch },
    action: actionStats,
    state: state.result(),
  };
}

/** Adds a canonical batch's actions and states; returns how many rows start an episode. */
function addBatch(batch: RecordBatch, index: number, action: FeatureAccumulator, state: FeatureAccumulator, sources: Set<string>): number {
  const col = (name: string): Data | null => batch.getChild(name)?.data[0] ?? null;
  const actions = col(COLUMN.action);
  if (actions === null) throw new ValueError("STATS_COLUMN", "the batch has no action column", { row: index, field: COLUMN.action });
  const pads = col(COLUMN.actionIsPad);
  const states = col(COLUMN.state);
  const firsts = col(COLUMN.isFirst);
  const source = col(COLUMN.source);
  let starts = 0;
  for (let i = 0; i < batch.numRows; i++) {
    if (!isValid(actions, i)) continue;
    const where = { row: i, id: `batch ${index}` };
    const o = actions.valueOffsets as Int32Array;
    const values = (actions.children[0] as Data).values as Float32Array;
    const length = (o[i + 1] as number) - (o[i] as number);
    // A chunk of H actions is H×D with H pad flags: its first D values are this step's action.
    const h = pads && isValid(pads, i) ? (pads.valueOffsets as Int32Array)[i + 1]! - (pads.valueOffsets as Int32Array)[i]! : 1;
    action.add(values, o[i] as number, length / h, 1, where);
    if (states && isValid(states, i)) {
      const so = states.valueOffsets as Int32Array;
      state.add((states.children[0] as Data).values as Float32Array, so[i] as number, (so[i + 1] as number) - (so[i] as number), 1, where);
    }
    if (firsts && readBool(firsts, i)) starts++;
    if (source) sources.add(readUtf8(source, i) ?? "");
  }
  return starts;
}
