import type { RecordBatch } from "apache-arrow";
import { isCotrainError, rowsToBatch, shuffle, stateField, isAny } from "@cotrain/core";
import type { ErrorLocation, JsonValue, RowInput, Source } from "@cotrain/core";
import { createLimiter, loadImage } from "./image-load.js";
import type { ImageLoadContext } from "./image-load.js";
import type { ResolvedReaderOptions } from "./options.js";
import type { ParsedSample, RawRecord, RecordCursor } from "./record-cursor.js";
import { SkipCounter } from "./skip-counter.js";

/** A VQA reader: a Source that also reports the entries it skipped, by reason (error code). */
export interface VqaSource extends Source {
  skipped(): Record<string, number>;
}

/** Every image of a VQA row is the one camera "image": VQA data has no camera rig, only pictures. */
export const VQA_CAMERA = "image";

/**
 * The part both readers share: takes records from a format's cursor, keeps this shard's, parses them, reads and
 * checks their images (concurrently, bounded by `concurrency`), and batches canonical rows. Errors are handled in
 * record order, so `raise` always stops at the first bad entry and `skip` counts the same entries in every run.
 * State: the cursor's position of the next record and the skip counts.
 */
export function makeVqaSource<T>(cursor: RecordCursor<T>, parse: (record: RawRecord<T>) => ParsedSample, options: ResolvedReaderOptions, owner: string): VqaSource {
  const { batchSize, shard, onError, source: sourceName } = options;
  const skips = new SkipCounter();
  const ctx: ImageLoadContext = { imageRoot: options.imageRoot, validate: options.validateImages, limit: createLimiter(options.concurrency) };

  async function build(record: RawRecord<T>): Promise<RowInput> {
    const sample = parse(record);
    const where: ErrorLocation = { ...record.where, id: sample.id };
    const images = await Promise.all(sample.images.map((ref) => loadImage(ref, where, ctx)));
    return { source: sourceName, kind: "vqa", sample_id: sample.id, images, cameras: images.map(() => VQA_CAMERA), messages: sample.messages };
  }

  async function take(n: number): Promise<RawRecord<T>[]> {
    const records: RawRecord<T>[] = [];
    while (records.length < n) {
      const record = await cursor.next();
      if (record === null) break;
      if (shard === null || record.index % shard.count === shard.index) records.push(record);
    }
    return records;
  }

  const reader: VqaSource = {
    async next(): Promise<RecordBatch | null> {
      const rows: RowInput[] = [];
      while (rows.length < batchSize) {
        const records = await take(batchSize - rows.length);
        if (records.length === 0) break;
        const results = await Promise.allSettled(records.map((r) => build(r)));
        for (const result of results) {
          if (result.status === "fulfilled") rows.push(result.value);
          else if (onError === "skip" && isCotrainError(result.reason)) skips.count(result.reason.code);
          else throw result.reason;
        }
      }
      return rows.length === 0 ? null : rowsToBatch(rows);
    },
    state: () => ({ position: cursor.position(), skipped: skips.snapshot() }),
    restore(state: JsonValue) {
      const position = stateField(state, "position", isAny, owner);
      skips.restore(stateField(state, "skipped", isAny, owner), owner);
      cursor.seek(position);
    },
    reset() {
      cursor.rewind(); // the file order is fixed; a shuffle above this source reorders per epoch
    },
    describe() {
      const parts = [cursor.label, `source=${sourceName}`, `batch=${batchSize}`];
      if (shard) parts.push(`shard ${shard.index}/${shard.count}`);
      const skipped = skips.total();
      if (skipped > 0) parts.push(`skipped ${skipped}: ${JSON.stringify(skips.snapshot())}`);
      return `${cursor.kind}(${parts.join(", ")})`;
    },
    skipped: () => skips.snapshot(),
    close: () => cursor.close(),
  };
  if (options.shuffle === null) return reader;
  // Core's block shuffle: its state holds this reader's state at the block start, so a restore re-reads at most
  // one block of `bufferSize` rows (its images included), and the skip counts come back with it.
  const shuffled = shuffle(reader, { ...options.shuffle, batchSize });
  return { ...shuffled, skipped: () => skips.snapshot() };
}
