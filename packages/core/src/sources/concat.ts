import type { RecordBatch } from "apache-arrow";
import { isAny, isInt, stateField } from "../source.js";
import type { JsonValue, Source } from "../source.js";

/** The sources one after another. State: which source is current, and every source's own state. */
export function concat(sources: readonly Source[]): Source {
  if (sources.length === 0) throw new RangeError("concat needs at least one source");
  let index = 0;
  return {
    async next(): Promise<RecordBatch | null> {
      while (index < sources.length) {
        const batch = await sources[index]!.next();
        if (batch !== null) return batch;
        index++;
      }
      return null;
    },
    state: () => ({ index, sources: sources.map((s) => s.state()) }),
    restore(state: JsonValue) {
      index = stateField<number>(state, "index", isInt, "concat");
      const states = stateField<JsonValue[]>(state, "sources", (v) => Array.isArray(v) && v.length === sources.length, "concat");
      sources.forEach((s, i) => s.restore(states[i] as JsonValue));
    },
    reset(epoch) {
      index = 0;
      for (const s of sources) s.reset(epoch);
    },
    describe: () => `concat(${sources.map((s) => s.describe()).join(", ")})`,
    async close() {
      await Promise.all(sources.map((s) => s.close?.()));
    },
  };
}
