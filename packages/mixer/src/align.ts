import type { RecordBatch, Schema } from "apache-arrow";
import { alignBatch, sameType } from "@cotrain/core";

/**
 * Aligns batches to the mixed schema. A batch whose columns already match it (names, order, types) passes through
 * untouched: arrow-js gives every RecordBatch its own Schema object, so `alignBatch`'s identity check rarely hits,
 * and rebuilding the batch would cost more than the rest of the mixer's bookkeeping. The verdict is cached per
 * Schema object. Other batches go through core's `alignBatch` (nulls for missing nullable columns).
 */
export function makeAligner(schema: Schema): (batch: RecordBatch) => RecordBatch {
  const verdicts = new WeakMap<Schema, boolean>();
  const fits = (have: Schema): boolean => {
    let verdict = verdicts.get(have);
    if (verdict === undefined) {
      verdict =
        have.fields.length === schema.fields.length &&
        have.fields.every((f, i) => {
          const want = schema.fields[i]!;
          // arrow-js clones fields per batch but keeps their type objects, so identity usually settles it
          return f === want || (f.name === want.name && (f.type === want.type || sameType(f.type, want.type)));
        });
      verdicts.set(have, verdict);
    }
    return verdict;
  };
  return (batch) => (batch.schema === schema || fits(batch.schema) ? batch : alignBatch(batch, schema));
}
