import type { RecordBatch } from "apache-arrow";
import type { JsonValue, Source } from "@cotrain/core";
import type { Batch } from "@cotrain/collator";

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
};

/** A data source that may report statistics (the mixer's per-source counts and achieved ratios). */
export type StatsSource = Source & { stats?: () => unknown };

/** The collator's state for a checkpoint: its own state() if it has one, else the epoch it was set to. */
export function collatorState(collate: Collate, epoch: number): JsonValue {
  if (typeof collate.state === "function") return { state: collate.state() };
  return { epoch };
}

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
}

/**
 * Reads source → collate → prepare one batch ahead: `next()` hands out the batch fetched during the previous
 * step and starts fetching the following one, yielding once to the event loop so that fetch reaches its
 * asynchronous work (file reads, image decoding in libuv's thread pool), which then overlaps the synchronous
 * training step. JavaScript work of the pipeline (tokenizing, packing, `prepare`) still runs between steps. Fetches are chained, never concurrent, so the
 * state (and stats) captured after batch k describe exactly "k batches consumed". At the end of an epoch it resets the source to
 * the next epoch (and tells the collator); a source that is empty right after a reset ends the stream.
 */
export class Prefetcher<T> {
  private pending: Promise<FetchedBatch<T> | null> | null = null;
  private epoch: number;

  constructor(
    private readonly source: Source,
    private readonly collate: Collate,
    private readonly prepare: (batch: Batch) => T,
    startEpoch: number,
  ) {
    this.epoch = startEpoch;
  }

  private async fetch(): Promise<FetchedBatch<T> | null> {
    let record: RecordBatch | null = await this.source.next();
    if (record === null) {
      this.epoch++;
      this.source.reset(this.epoch);
      this.collate.setEpoch?.(this.epoch);
      record = await this.source.next();
      if (record === null) return null;
    }
    const sourceState = this.source.state();
    const sourceStats = (this.source as StatsSource).stats?.() as JsonValue | undefined;
    const batch = await this.collate(record);
    const collatorStateNow = collatorState(this.collate, this.epoch);
    return { value: this.prepare(batch), epoch: this.epoch, sourceState, collatorState: collatorStateNow, sourceStats };
  }

  /** The next batch (null at the end of the data); starts fetching the one after. */
  async next(): Promise<FetchedBatch<T> | null> {
    const current = this.pending ?? this.fetch();
    this.pending = null;
    const item = await current;
    if (item !== null) {
      this.pending = this.fetch();
      // Marks a failure as handled until the next call awaits it (and rethrows it there).
      this.pending.catch(() => undefined);
      // Let the fetch run its synchronous and microtask parts now, until it waits on real I/O (file reads, image
      // decoding on libuv's threads); otherwise it would start only after the caller's synchronous step.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return item;
  }

  /** Waits for an in-flight fetch to settle (its result is dropped), so nothing runs after the loop ends. */
  async drain(): Promise<void> {
    const p = this.pending;
    this.pending = null;
    if (p) await p.catch(() => null);
  }
}
