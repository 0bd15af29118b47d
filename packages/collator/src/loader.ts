import type { RecordBatch } from "apache-arrow";
import type { JsonValue, Source } from "@cotrain/core";
import type { Batch } from "./batch.js";
import type { Collated } from "./pool/collator-pool.js";

/** What the loader needs from a collator: createCollator, createCollatorPool, or a plain function. */
export type LoaderCollate = ((batch: RecordBatch) => Promise<Batch>) & {
  submit?: (batch: RecordBatch) => Promise<Collated>;
  maxPending?: number;
  state?: () => JsonValue;
  setEpoch?: (epoch: number) => void;
};

export interface LoaderOptions {
  /** Batches read and collated ahead of the consumer (default: the pool's maxPending, else 1). */
  prefetch?: number;
  /** The epoch the source is in (default 0). */
  epoch?: number;
  /** At the end of the source, reset it to the next epoch and go on (default false: the loader ends). */
  repeat?: boolean;
}

/** One batch with the pipeline's state right after it: restoring these gives exactly the batches after it. */
export interface LoadedBatch {
  batch: Batch;
  epoch: number;
  sourceState: JsonValue;
  /** The source's stats() right after this batch (the mixer's accounting), when it has them. */
  sourceStats: JsonValue | undefined;
  /** The collator's state() right after this batch (undefined for a plain function). */
  collatorState: JsonValue | undefined;
  /** Milliseconds next() waited for this batch. */
  waitMs: number;
  /** Done with `batch.pixels`: a pool fills the array again for a later batch (see Collated.release). Optional. */
  release(): void;
}

type Read = { record: RecordBatch; epoch: number; sourceState: JsonValue; sourceStats: JsonValue | undefined };

/**
 * Reads a Source and collates its batches `prefetch` ahead of the consumer. Reads run one after another (the
 * Source protocol); each batch goes to the collator as soon as it is read, so with a pool several batches are
 * decoded at once while the consumer works (a training step) and the reader reads on. Order, bytes and states are
 * those of reading and collating one batch at a time: the source's state is taken right after its read, the
 * collator's with its result, in order.
 */
export class BatchLoader {
  private readonly queue: Promise<LoadedBatch | Omit<LoadedBatch, "waitMs"> | null>[] = [];
  private reading: Promise<Read | null> = Promise.resolve(null);
  private ended = false;
  private epoch: number;
  private readonly prefetch: number;
  private readonly repeat: boolean;
  private readonly submit: (batch: RecordBatch) => Promise<{ batch: Batch; state: JsonValue | undefined; release?: () => void }>;

  constructor(
    private readonly source: Source,
    private readonly collate: LoaderCollate,
    options: LoaderOptions = {},
  ) {
    this.epoch = options.epoch ?? 0;
    this.repeat = options.repeat ?? false;
    this.prefetch = options.prefetch ?? collate.maxPending ?? 1;
    if (!Number.isInteger(this.prefetch) || this.prefetch < 1) throw new RangeError(`prefetch must be a positive integer, got ${options.prefetch}`);
    this.submit = collate.submit?.bind(collate) ?? serially(collate);
  }

  /** The next batch (null at the end of the data). */
  async next(): Promise<LoadedBatch | null> {
    const t0 = performance.now();
    this.fill();
    const head = this.queue.shift();
    if (head === undefined) return null;
    const item = await head;
    this.fill();
    return item === null ? null : { ...item, waitMs: performance.now() - t0 };
  }

  /** Waits for what is in flight to settle (results dropped), so nothing runs after the consumer stops. */
  async drain(): Promise<void> {
    const pending = this.queue.splice(0);
    this.ended = true;
    for (const settled of await Promise.allSettled(pending)) {
      if (settled.status === "fulfilled" && settled.value !== null && "release" in settled.value) settled.value.release(); // never handed out
    }
  }

  private fill(): void {
    while (!this.ended && this.queue.length < this.prefetch) {
      const read = this.reading.then(() => this.readOne());
      this.reading = read.catch(() => null);
      const item = read.then(async (r) => {
        if (r === null) return null;
        const collated = await this.submit(r.record);
        return { batch: collated.batch, epoch: r.epoch, sourceState: r.sourceState, sourceStats: r.sourceStats, collatorState: collated.state, release: collated.release ?? noop };
      });
      item.catch(() => undefined); // rethrown to the consumer when it reaches this batch
      this.queue.push(item);
    }
  }

  private async readOne(): Promise<Read | null> {
    if (this.ended) return null;
    try {
      return await this.readNext();
    } catch (error) {
      this.ended = true; // the source failed: nothing after this batch is read (the error reaches the consumer)
      throw error;
    }
  }

  private async readNext(): Promise<Read | null> {
    let record = await this.source.next();
    if (record === null && this.repeat) {
      this.epoch++;
      this.source.reset(this.epoch);
      this.collate.setEpoch?.(this.epoch);
      record = await this.source.next();
    }
    if (record === null) {
      this.ended = true;
      return null;
    }
    const sourceStats = (this.source as Source & { stats?: () => unknown }).stats?.() as JsonValue | undefined;
    return { record, epoch: this.epoch, sourceState: this.source.state(), sourceStats };
  }
}

/** A plain collate function run one batch at a time, its state taken right after each. */
function serially(collate: LoaderCollate): (batch: RecordBatch) => Promise<{ batch: Batch; state: JsonValue | undefined }> {
  let chain: Promise<unknown> = Promise.resolve();
  return (batch) => {
    const result = chain.then(async () => ({ batch: await collate(batch), state: collate.state?.() }));
    chain = result.catch(() => undefined);
    return result;
  };
}

function noop(): void {}
