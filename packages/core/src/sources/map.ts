import type { RecordBatch } from "apache-arrow";
import type { Source } from "../source.js";

/**
 * Applies `fn` to every batch. `fn` must be a pure function of its batch (and of the batch's position, which it
 * may read from the batch itself) so that the mapped stream resumes with its parent's state alone.
 */
export function map(source: Source, fn: (batch: RecordBatch) => RecordBatch | Promise<RecordBatch>, name = "map"): Source {
  return {
    async next() {
      const batch = await source.next();
      return batch === null ? null : await fn(batch);
    },
    state: () => source.state(),
    restore: (state) => source.restore(state),
    reset: (epoch) => source.reset(epoch),
    describe: () => `${source.describe()} -> ${name}`,
    close: () => source.close?.() ?? Promise.resolve(),
  };
}
