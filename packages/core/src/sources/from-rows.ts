import type { RecordBatch } from "apache-arrow";
import type { RowInput } from "../schema.js";
import { rowsToBatch } from "../rows.js";
import { isInt, stateField } from "../source.js";
import type { JsonValue, Source } from "../source.js";

export interface FromRowsOptions {
  /** Rows per batch (default 64). */
  batchSize?: number;
  /** A label for `describe()`. */
  name?: string;
}

/** A source over an in-memory array of rows, `batchSize` rows per batch. State: the next row offset. */
export function fromRows(rows: readonly RowInput[], options: FromRowsOptions = {}): Source {
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  let offset = 0;
  return {
    async next(): Promise<RecordBatch | null> {
      if (offset >= rows.length) return null;
      const batch = rowsToBatch(rows.slice(offset, offset + batchSize));
      offset += batch.numRows;
      return batch;
    },
    state: () => ({ offset }),
    restore(state: JsonValue) {
      offset = stateField<number>(state, "offset", isInt, "fromRows");
    },
    reset() {
      offset = 0;
    },
    describe: () => `${options.name ?? "rows"}(${rows.length}, batch=${batchSize})`,
  };
}

/** A source over already-built batches. State: the next batch index. */
export function fromBatches(batches: readonly RecordBatch[], name = "batches"): Source {
  let index = 0;
  return {
    async next() {
      return batches[index++] ?? null;
    },
    state: () => ({ index }),
    restore(state: JsonValue) {
      index = stateField<number>(state, "index", isInt, "fromBatches");
    },
    reset() {
      index = 0;
    },
    describe: () => `${name}(${batches.length} batches)`,
  };
}
