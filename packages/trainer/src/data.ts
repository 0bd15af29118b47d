import type { RecordBatch } from "apache-arrow";
import type { JsonValue, Source } from "@cotrain/core";
import { BatchLoader } from "@cotrain/collator";
import type { Batch, Collated } from "@cotrain/collator";

/**
 * What the trainer needs from a collator: a function from a canonical RecordBatch to a Batch. The real one
 * (`createCollator`) also carries `setEpoch`, `stats`, `vocabSize` and `actionTokenizer`; a stateful collator
 * may offer `state()`/`restore()`. Every extra is optional, so tests can pass a plain function.
 */
export type Collate = ((batch: RecordBatch) => Promise<Batch>) & {
  state?: () => JsonValue;
  restore?: (state: JsonValue) => void;
  setEpoch?: (epoch: number) => void;
  stats?: () => unknown;
  vocabSize?: number;
  actionTokenizer?: { firstId: number; endId: number } | null;
  /** A createCollatorPool: batches are submitted ahead, up to maxPending at once. */
  submit?: (batch: RecordBatch) => Promise<Collated>;
  maxPending?: number;
};

export function restoreCollator(collate: Collate, saved: JsonValue): void {
  if (saved === null || typeof saved !== "object" || Array.isArray(saved)) return;
  if ("state" in saved && typeof collate.restore === "function") collate.restore(saved.state as JsonValue);
  else if (typeof saved.epoch === "number" && typeof collate.setEpoch === "function") collate.setEpoch(saved.epoch);
}

/** Each collated batch with the data-pipeline state right after it was read (what a checkpoint must store). */
export interface FetchedBatch<T> {
  value: T;
  epoch: number;
  sourceState: JsonValue;
  collatorState: JsonValue;
  /** The source's stats() right after this batch (undefined when it has none). */
  sourceStats: JsonValue | undefined;
  /** Milliseconds `next()` waited for this batch. */
  waitMs: number;
  /** The collated batch's pixels are no longer needed (a pool fills them again for a later batch). */
  release(): void;
}

/**
 * Reads source → collate ahead of the training loop (collator's BatchLoader: one batch ahead for a plain collator,
 * `maxPending` batches for a createCollatorPool, whose workers then collate while the synchronous training step
 * runs), then `prepare`s each batch as it is handed out. Each batch carries the states right after it, so a
 * checkpoint taken after batch k describes exactly "k batches consumed". At the end of an epoch the source is
 * reset to the next one (and the collator told); a source that is empty right after a reset ends the stream.
 */
export class Prefetcher<T> {
  private readonly loader: BatchLoader;

  constructor(
    source: Source,
    private readonly collate: Collate,
    private readonly prepare: (batch: Batch) => T,
    startEpoch: number,
  ) {
    this.loader = new BatchLoader(source, collate, { epoch: startEpoch, repeat: true });
  }

  /** The next batch (null at the end of the data). */
  async next(): Promise<FetchedBatch<T> | null> {
    const item = await this.loader.next();
    if (item === null) return null;
    // Let the reads started for later batches reach their I/O before the caller's synchronous step blocks.
    await new Promise((resolve) => setImmediate(resolve));
    const collator: JsonValue = item.collatorState === undefined ? { epoch: item.epoch } : { state: item.collatorState };
    return { value: this.prepare(item.batch), epoch: item.epoch, sourceState: item.sourceState, collatorState: collator, sourceStats: item.sourceStats, waitMs: item.waitMs, release: item.release };
  }

  /** Waits for in-flight fetches to settle (their results are dropped), so nothing runs after the loop ends. */
  async drain(): Promise<void> {
    await this.loader.drain();
  }
}
