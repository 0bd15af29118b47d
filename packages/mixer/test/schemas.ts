import { Schema } from "apache-arrow";
import { columnsOf, fromBatches, makeBatch, rowsToBatch } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import { makeRows } from "./helpers.js";

const ROBOT_ONLY = new Set(["action", "action_is_pad", "state", "episode_index", "step_index", "is_first", "is_last"]);

/**
 * A web source whose batches have only the columns a VQA reader knows about (no action, state or episode
 * columns), as a reader with its own narrower schema would yield them.
 */
export function webWithoutRobotColumns(n: number, batchSize: number): Source {
  const batches = [];
  const rows = makeRows("web", n, "vqa");
  for (let k = 0; k < n; k += batchSize) {
    const full = rowsToBatch(rows.slice(k, k + batchSize));
    const keep = full.schema.fields.map((f, i) => [f, i] as const).filter(([f]) => !ROBOT_ONLY.has(f.name));
    const schema = new Schema(keep.map(([f]) => f));
    batches.push(makeBatch(schema, keep.map(([, i]) => columnsOf(full)[i]!), full.numRows));
  }
  return fromBatches(batches, "web-narrow");
}
