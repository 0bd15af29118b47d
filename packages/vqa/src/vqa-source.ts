import type { RecordBatch } from "apache-arrow";
import { RemoteError, isCotrainError, isRemote, limiter, rowsToBatch, shuffle, stateField, isAny } from "@cotrain/core";
import type { ErrorLocation, JsonValue, RowInput, Source } from "@cotrain/core";
import { loadBatchImages } from "./image-load.js";
import { ImageRootGuard } from "./image-root-guard.js";
import { FileThread, stopWhenCollected } from "./file-thread/file-thread.js";
import type { ImageLoadContext, LoadedImages } from "./image-load.js";
import type { ResolvedReaderOptions } from "./options.js";
import type { ParsedSample, RawRecord, RecordCursor } from "./record-cursor.js";
import { SkipCounter } from "./skip-counter.js";

/** A VQA reader: a Source that also reports the entries it skipped, by reason (error code). */
export interface VqaSource extends Source {
  skipped(): Record<string, number>;
}

/** Every image of a VQA row is the one camera "image": VQA data has no camera rig, only pictures. */
export const VQA_CAMERA = "image";

/** A record taken from the cursor and parsed, with the cursor position just before it (what `state()` reports). */
interface Taken {
  at: JsonValue;
  parsed: { sample: ParsedSample; where: ErrorLocation } | { error: unknown };
}

/**
 * Up to one batch of records whose images are loading (or loaded); `next` is the first not yet emitted. A cursor
 * error (malformed or truncated file) ends the chunk and is raised once the records before it are emitted.
 */
interface Chunk {
  records: Taken[];
  loaded: Promise<LoadedImages[]>;
  next: number;
  failure: { error: unknown } | null;
}

/**
 * The part both readers share: takes records from a format's cursor, keeps this shard's, parses them, reads and
 * checks their images (a batch's files together, at most `concurrency` file reads or decodes at once), and batches
 * canonical rows. Errors are handled in record order, so `raise` always stops at the first bad entry and `skip`
 * counts the same entries in every run.
 *
 * Read-ahead: while a batch's images load, the next batch's records are already taken and their images queued on
 * the same limiter, so the file reads never drain between batches and parsing overlaps them (memory: two batches
 * of images). Only image I/O runs in the background; the cursor is used inside `next()` alone, so `restore` and
 * `reset` simply drop the read-ahead. State: the position of the first record not yet emitted and the skip counts.
 */
export function makeVqaSource<T>(cursor: RecordCursor<T>, parse: (record: RawRecord<T>) => ParsedSample, options: ResolvedReaderOptions, owner: string): VqaSource {
  const { batchSize, shard, onError, source: sourceName } = options;
  const skips = new SkipCounter();
  const guard = options.imageRoot !== null && !options.allowSymlinksOutsideRoot ? new ImageRootGuard(options.imageRoot) : null;
  const files = options.fileThread && options.imageRoot !== null && !isRemote(options.imageRoot) ? new FileThread(guard === null ? null : options.imageRoot) : null;
  const ctx: ImageLoadContext = { imageRoot: options.imageRoot, validate: options.validateImages, limit: limiter(options.concurrency), guard, files };
  let queue: Chunk[] = [];
  // Image loads started and not yet settled, including those of a dropped read-ahead, so close() can wait for them.
  const inflight = new Set<Promise<unknown>>();

  function parseRecord(record: RawRecord<T>): Taken["parsed"] {
    try {
      const sample = parse(record);
      return { sample, where: { ...record.where, id: sample.id } };
    } catch (error) {
      return { error };
    }
  }

  /** Takes up to `n` of this shard's records and starts loading their images. */
  async function takeChunk(n: number): Promise<Chunk> {
    const records: Taken[] = [];
    let failure: Chunk["failure"] = null;
    try {
      while (records.length < n) {
        const at = cursor.position();
        const record = await cursor.next();
        if (record === null) break;
        if (shard === null || record.index % shard.count === shard.index) records.push({ at, parsed: parseRecord(record) });
      }
    } catch (error) {
      failure = { error };
    }
    const loaded = loadBatchImages(records.map(({ parsed: p }) => ("error" in p ? { images: [], where: {} } : { images: p.sample.images, where: p.where })), ctx);
    const settled = loaded.then(() => undefined, () => undefined); // a dropped chunk's failure is nobody's
    inflight.add(settled);
    void settled.then(() => inflight.delete(settled));
    return { records, loaded, next: 0, failure };
  }

  function rowOf(sample: ParsedSample, images: Uint8Array[]): RowInput {
    return { source: sourceName, kind: "vqa", sample_id: sample.id, images, cameras: images.map(() => VQA_CAMERA), messages: sample.messages };
  }

  const reader: VqaSource = {
    async next(): Promise<RecordBatch | null> {
      const rows: RowInput[] = [];
      while (rows.length < batchSize) {
        if (queue.length === 0) queue.push(await takeChunk(batchSize));
        const chunk = queue[0] as Chunk;
        if (queue.length === 1 && chunk.failure === null && chunk.records.length === batchSize) queue.push(await takeChunk(batchSize));
        const loaded = await chunk.loaded;
        while (chunk.next < chunk.records.length && rows.length < batchSize) {
          const i = chunk.next++;
          const p = (chunk.records[i] as Taken).parsed;
          const l = loaded[i] as LoadedImages;
          if ("sample" in p && l.ok) {
            rows.push(rowOf(p.sample, l.images));
            continue;
          }
          const error = "error" in p ? p.error : !l.ok ? l.error : null;
          // A RemoteError (a server that kept failing past the retries) is no fault of the entry: never skipped.
          if (onError === "skip" && isCotrainError(error) && !(error instanceof RemoteError)) skips.count(error.code);
          else throw error;
        }
        if (chunk.next < chunk.records.length) break; // the batch is full
        queue.shift();
        if (chunk.failure !== null) throw chunk.failure.error;
        if (chunk.records.length < batchSize) break; // the end of the data
      }
      if (rows.length > 0) return rowsToBatch(rows);
      await files?.stop(); // the end of the data: no thread is left waiting (reset() and a new epoch start another)
      return null;
    },
    state(): JsonValue {
      const chunk = queue.find((c) => c.next < c.records.length);
      return { position: chunk ? (chunk.records[chunk.next] as Taken).at : cursor.position(), skipped: skips.snapshot() };
    },
    restore(state: JsonValue) {
      const position = stateField(state, "position", isAny, owner);
      skips.restore(stateField(state, "skipped", isAny, owner), owner);
      queue = [];
      cursor.seek(position);
    },
    reset() {
      queue = [];
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
    async close() {
      queue = [];
      await Promise.all([...inflight]); // no image read outlives close()
      await files?.stop();
      await cursor.close();
    },
  };
  // Core's block shuffle: its state holds this reader's state at the block start, so a restore re-reads at most
  // one block of `bufferSize` rows (its images included), and the skip counts come back with it.
  const source = options.shuffle === null ? reader : { ...shuffle(reader, { ...options.shuffle, batchSize }), skipped: () => skips.snapshot() };
  if (files !== null) stopWhenCollected(source, files);
  return source;
}
