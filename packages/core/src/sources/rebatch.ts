import type { RecordBatch } from "apache-arrow";
import { concatBatches } from "../arrow/batches.js";
import { isAny, isInt, stateField } from "../source.js";
import type { JsonValue, Source } from "../source.js";

export interface RebatchOptions {
  /** Drop a last batch shorter than `size` (default false: it is yielded). */
  dropLast?: boolean;
}

interface Pending {
  batch: RecordBatch;
  /** The parent's state before this batch was pulled: where a restore re-reads it from. */
  before: JsonValue;
}

/**
 * Re-cuts a stream into batches of exactly `size` rows (the last may be shorter). Rows cross parent batch
 * boundaries as Arrow slices. State: the parent's state before the oldest partly consumed parent batch, plus how
 * many of its rows were already emitted, so a restore re-reads at most one parent batch.
 */
export function rebatch(source: Source, size: number, options: RebatchOptions = {}): Source {
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`rebatch size must be a positive integer, got ${size}`);
  let pending: Pending[] = [];
  let head = 0; // rows of pending[0] already emitted
  let skip = 0; // rows to skip of the first batch pulled after a restore

  const buffered = (): number => pending.reduce((n, p) => n + p.batch.numRows, 0) - head;

  return {
    async next(): Promise<RecordBatch | null> {
      while (buffered() < size) {
        const before = source.state();
        const batch = await source.next();
        if (batch === null) break;
        if (batch.numRows === 0) continue;
        pending.push({ batch, before });
        if (skip > 0) {
          head = skip;
          skip = 0;
        }
      }
      const available = buffered();
      if (available === 0 || (available < size && options.dropLast)) {
        pending = [];
        head = 0;
        return null;
      }
      const parts: RecordBatch[] = [];
      let need = Math.min(size, available);
      while (need > 0) {
        const first = pending[0]!;
        const n = Math.min(need, first.batch.numRows - head);
        parts.push(first.batch.slice(head, head + n));
        head += n;
        need -= n;
        if (head === first.batch.numRows) {
          pending.shift();
          head = 0;
        }
      }
      return concatBatches(parts);
    },
    state(): JsonValue {
      const first = pending[0];
      return first ? { source: first.before, skip: head } : { source: source.state(), skip };
    },
    restore(state: JsonValue) {
      pending = [];
      head = 0;
      skip = stateField<number>(state, "skip", isInt, "rebatch");
      source.restore(stateField(state, "source", isAny, "rebatch"));
    },
    reset(epoch) {
      pending = [];
      head = 0;
      skip = 0;
      source.reset(epoch);
    },
    describe: () => `${source.describe()} -> rebatch(${size}${options.dropLast ? ", dropLast" : ""})`,
    close: () => source.close?.() ?? Promise.resolve(),
  };
}
