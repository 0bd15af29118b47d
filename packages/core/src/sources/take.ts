import type { RecordBatch } from "apache-arrow";
import { isAny, isInt, stateField } from "../source.js";
import type { JsonValue, Source } from "../source.js";

/** The first `count` rows of a source, then the end. */
export function take(source: Source, count: number): Source {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`take count must be a non-negative integer, got ${count}`);
  let taken = 0;
  return {
    async next(): Promise<RecordBatch | null> {
      if (taken >= count) return null;
      const batch = await source.next();
      if (batch === null) return null;
      const keep = Math.min(batch.numRows, count - taken);
      taken += keep;
      return keep === batch.numRows ? batch : batch.slice(0, keep);
    },
    state: () => ({ taken, source: source.state() }),
    restore(state: JsonValue) {
      taken = stateField<number>(state, "taken", isInt, "take");
      source.restore(stateField(state, "source", isAny, "take"));
    },
    reset(epoch) {
      taken = 0;
      source.reset(epoch);
    },
    describe: () => `${source.describe()} -> take(${count})`,
    close: () => source.close?.() ?? Promise.resolve(),
  };
}
