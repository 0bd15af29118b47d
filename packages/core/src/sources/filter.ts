import type { RecordBatch } from "apache-arrow";
import type { CanonicalRow } from "../schema.js";
import { rowAt } from "../rows.js";
import { takeRows } from "../arrow/batches.js";
import type { Source } from "../source.js";

/**
 * Keeps the rows for which `keep(row)` is true. Batches that end up empty are not yielded. The predicate must be a
 * pure function of the row, so the filtered stream resumes with its parent's state alone.
 */
export function filter(source: Source, keep: (row: CanonicalRow) => boolean, name = "filter"): Source {
  return {
    async next(): Promise<RecordBatch | null> {
      for (;;) {
        const batch = await source.next();
        if (batch === null) return null;
        const indices: number[] = [];
        for (let i = 0; i < batch.numRows; i++) if (keep(rowAt(batch, i))) indices.push(i);
        if (indices.length === batch.numRows) return batch;
        if (indices.length > 0) return takeRows(batch, indices);
      }
    },
    state: () => source.state(),
    restore: (state) => source.restore(state),
    reset: (epoch) => source.reset(epoch),
    describe: () => `${source.describe()} -> ${name}`,
    close: () => source.close?.() ?? Promise.resolve(),
  };
}
