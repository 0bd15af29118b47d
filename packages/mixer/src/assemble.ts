import type { RecordBatch, Schema } from "apache-arrow";
import { Rng, concatBatches, takeRows } from "@cotrain/core";
import type { SeedLike } from "@cotrain/core";
import type { MixOrder } from "./options.js";

/**
 * Builds one mixed batch from each source's rows (Arrow slices, in source order). Grouped: one concatenation of
 * the slices (a memcpy per column, or no copy at all when one slice is the whole batch). Shuffled: the grouped
 * batch permuted with `takeRows`; in sampled mode the permutation is the draw order itself (row j comes from the
 * source drawn j-th), in exact mode a permutation keyed by (seed, step).
 */
export function assemble(parts: readonly (readonly RecordBatch[])[], schema: Schema, order: MixOrder, seed: SeedLike, step: number, drawn: ArrayLike<number> | null): RecordBatch {
  const grouped = concatBatches(parts.flat(), schema);
  if (order === "grouped" || grouped.numRows < 2) return grouped;
  return takeRows(grouped, drawn === null ? Rng.from(seed, "mix-order", step).permutation(grouped.numRows) : drawOrder(parts, drawn));
}

/** Indices into the grouped batch that put the k-th row of source i where the draw put it. */
function drawOrder(parts: readonly (readonly RecordBatch[])[], drawn: ArrayLike<number>): Int32Array {
  const next = new Int32Array(parts.length);
  let start = 0;
  parts.forEach((p, i) => {
    next[i] = start;
    start += p.reduce((n, b) => n + b.numRows, 0);
  });
  const out = new Int32Array(drawn.length);
  for (let j = 0; j < drawn.length; j++) out[j] = next[drawn[j] as number]!++;
  return out;
}
