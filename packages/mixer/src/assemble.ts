import type { Data, RecordBatch, Schema } from "apache-arrow";
import { Rng, columnsOf, concatBatches, concatData, makeBatch } from "@cotrain/core";
import type { SeedLike } from "@cotrain/core";
import type { MixOrder } from "./options.js";

/**
 * Builds one mixed batch from each source's rows (Arrow slices, in source order). Grouped: one concatenation of
 * the slices (a memcpy per column, or no copy at all when one slice is the whole batch). Shuffled: the rows are
 * gathered straight from the slices in a permuted order, still one copy; in sampled mode the order is the draw
 * order itself (row j comes from the source drawn j-th), in exact mode a permutation keyed by (seed, step).
 */
export function assemble(parts: readonly (readonly RecordBatch[])[], schema: Schema, order: MixOrder, seed: SeedLike, step: number, drawn: ArrayLike<number> | null): RecordBatch {
  const pieces = parts.flat();
  const rows = pieces.reduce((n, b) => n + b.numRows, 0);
  if (order === "grouped" || rows < 2) return concatBatches(pieces, schema);
  return gather(pieces, drawn === null ? Rng.from(seed, "mix-order", step).permutation(rows) : drawOrder(parts, drawn), schema);
}

/** Positions in the grouped order that put the k-th row of source i where the draw put it. */
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

/**
 * The rows at grouped positions `order`, taken from `pieces` (which share `schema`'s column order) as runs of
 * consecutive rows, with one `concatData` per column. Unlike `takeRows` over a concatenated batch this copies the
 * data once and slices column Data, not RecordBatches (arrow-js rebuilds a Schema for every RecordBatch slice).
 */
function gather(pieces: readonly RecordBatch[], order: ArrayLike<number>, schema: Schema): RecordBatch {
  const pieceOf = new Int32Array(order.length);
  const starts: number[] = [];
  let at = 0;
  pieces.forEach((b, k) => {
    starts.push(at);
    pieceOf.fill(k, at, at + b.numRows);
    at += b.numRows;
  });
  const runs: number[] = []; // (piece, first row, length) triples
  for (let j = 0; j < order.length; ) {
    const p = order[j] as number;
    const k = pieceOf[p] as number;
    let n = 1;
    while (j + n < order.length && order[j + n] === p + n && pieceOf[p + n] === k) n++;
    runs.push(k, p - (starts[k] as number), n);
    j += n;
  }
  const columns = pieces.map((b) => columnsOf(b));
  const out = schema.fields.map((field, c) => {
    const slices: Data[] = [];
    for (let r = 0; r < runs.length; r += 3) slices.push((columns[runs[r] as number] as Data[])[c]!.slice(runs[r + 1] as number, runs[r + 2] as number));
    return concatData(field.type, slices);
  });
  return makeBatch(schema, out, order.length);
}
