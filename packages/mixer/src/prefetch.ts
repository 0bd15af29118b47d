import type { RecordBatch, Schema } from "apache-arrow";
import { ConfigError, StateError } from "@cotrain/core";
import type { JsonValue, Source } from "@cotrain/core";
import { makeAligner } from "./align.js";
import { parseReaderState } from "./reader-state.js";
import type { ReaderState } from "./reader-state.js";
import { RowQueue } from "./row-queue.js";

type Pending = { restore: JsonValue } | { reset: number };

export interface ReaderOptions {
  /** Batches read ahead in the background (beyond what the current batch needs). */
  prefetch: number;
  /** Restart the source with `reset(epoch + 1)` at its end (all_exhausted, fixed totals) or stop there. */
  repeat: boolean;
  /** The schema every batch is aligned to. */
  schema: Schema;
}

/**
 * One source of the mixer: reads into a bounded `RowQueue` ahead of the cursor. Reads are issued asynchronously
 * (one at a time per source, as the Source protocol requires), so while the mixer waits for a slow source the
 * others keep filling their queues. A repeating reader resets its source when it reads the end and keeps reading
 * the next epoch.
 *
 * State is exact despite the read-ahead: every queued batch remembers the source's state before it was read, and
 * the reader's state is that of the oldest unconsumed batch plus the rows already taken from it (as core's
 * `rebatch` does). Read-ahead batches are simply read again after a restore.
 */
export class PrefetchingReader {
  readonly queue: RowQueue;
  private skipFirst = 0; // rows of the first batch read after a restore that were consumed before the save
  private busy: Promise<void> | null = null;
  private busyBefore: JsonValue = null;
  private generation = 0; // bumped by restore/reset/close: results of reads started earlier are dropped
  private pending: Pending | null = null; // a restore/reset that waits for an in-flight read to settle
  private readEpoch = 0;
  private readRows = 0; // rows read in the reading epoch; -1 when unknown (after a restore)
  private readEnded = false; // a non-repeating reader has read its end
  private failure: { error: unknown } | null = null;
  private wanted: (() => boolean) | null = null;
  private closed = false;
  private readonly align: (batch: RecordBatch) => RecordBatch;

  constructor(
    readonly name: string,
    private readonly source: Source,
    private readonly options: ReaderOptions,
  ) {
    this.queue = new RowQueue(name, options.repeat);
    this.align = makeAligner(options.schema);
  }

  /** Waits until `rows` rows lie ahead of the cursor; returns how many do (fewer only if it ended, not repeating). */
  async fill(rows: number): Promise<number> {
    await this.until(() => this.queue.rows >= rows || this.readEnded);
    return Math.min(rows, this.queue.rows);
  }

  /** Whether the cursor stands at an end of epoch (reads as needed to know). */
  async atEnd(): Promise<boolean> {
    await this.until(() => this.queue.length > 0 || this.readEnded);
    return this.queue.first()?.end ?? true;
  }

  /** Moves the cursor past the end of epoch it stands at (see `atEnd`), counting the epoch. */
  passEnd(): void {
    if (this.queue.first()?.end === true) this.queue.passEnd();
    else if (!this.readEnded || this.queue.length > 0) throw new Error(`mixer internal: ${this.name} is not at an end of epoch`);
  }

  /** Takes `rows` buffered rows as zero-copy slices (crossing an epoch end when repeating). */
  take(rows: number): RecordBatch[] {
    const out: RecordBatch[] = [];
    this.queue.consume(rows, (batch, from, to) => out.push(from === 0 && to === batch.numRows ? batch : batch.slice(from, to)));
    this.pump();
    return out;
  }

  /** Moves past `rows` buffered rows (another rank's share). */
  skip(rows: number): void {
    this.queue.consume(rows, () => undefined);
    this.pump();
  }

  state(): ReaderState {
    const q = this.queue;
    const base = { epoch: q.epoch, position: q.position, completed: q.completed, passed: q.passed, ended: this.readEnded && q.length === 0 };
    const first = q.first();
    if (first !== undefined) return { ...base, source: first.before, skip: first.end ? 0 : q.head };
    if (this.pending !== null) return "reset" in this.pending ? { ...base, source: null, restart: this.pending.reset, skip: 0 } : { ...base, source: this.pending.restore, skip: this.skipFirst };
    return { ...base, source: this.busy !== null ? this.busyBefore : this.source.state(), skip: this.skipFirst };
  }

  restore(raw: JsonValue): void {
    const state = parseReaderState(raw, this.name);
    this.clear();
    Object.assign(this.queue, { epoch: state.epoch, completed: state.completed, passed: state.passed, position: state.position });
    this.readEpoch = state.epoch;
    this.readEnded = state.ended;
    this.skipFirst = state.skip;
    this.readRows = -1;
    this.apply(state.source === null ? { reset: state.restart ?? state.epoch } : { restore: state.source });
  }

  reset(epoch: number): void {
    this.clear();
    Object.assign(this.queue, { epoch, passed: 0, position: 0 });
    this.readEpoch = epoch;
    this.readRows = 0;
    this.apply({ reset: epoch });
  }

  skipped(): Record<string, number> | undefined {
    const s = this.source as Source & { skipped?: () => Record<string, number> };
    return typeof s.skipped === "function" ? s.skipped() : undefined;
  }

  describe(): string {
    return this.source.describe();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.generation++;
    await this.busy;
    await this.source.close?.();
  }

  private async until(ready: () => boolean): Promise<void> {
    for (;;) {
      if (ready()) {
        this.wanted = null;
        return;
      }
      // A failed read ahead surfaces only when the rows it would have given are needed.
      if (this.failure !== null) throw this.failure.error;
      this.wanted = ready;
      this.pump();
      const inFlight = this.busy;
      if (inFlight === null) throw new Error(`mixer internal: ${this.name} cannot read further`);
      await inFlight;
    }
  }

  /** Starts the next read when the queue is below its bound or a caller waits for more. */
  private pump(): void {
    if (this.busy !== null || this.failure !== null || this.readEnded || this.closed) return;
    const waiting = this.wanted !== null && !this.wanted();
    if (!waiting && this.queue.length >= this.options.prefetch) return;
    const generation = this.generation;
    const epoch = this.readEpoch;
    const before = this.source.state();
    this.busyBefore = before;
    this.busy = (async () => this.source.next())()
      .then((batch) => {
        if (generation === this.generation) this.accept(batch, before, epoch);
      })
      .catch((error: unknown) => {
        if (generation === this.generation) this.failure = { error };
      })
      .finally(() => {
        this.busy = null;
        this.settle();
        if (this.wanted?.() === true) this.wanted = null;
        this.pump();
      });
  }

  private accept(batch: RecordBatch | null, before: JsonValue, epoch: number): void {
    const id = JSON.stringify(this.name);
    if (batch === null) {
      if (this.skipFirst > 0) throw new StateError("MIX_STATE", `restored state skips ${this.skipFirst} rows but source ${id} is at its end`, { id: this.name });
      if (this.options.repeat && this.readRows === 0) throw new ConfigError("MIX_EMPTY_SOURCE", `source ${id} yielded no rows in epoch ${epoch}`, { id: this.name });
      this.queue.push({ end: true, before, epoch });
      if (!this.options.repeat) {
        this.readEnded = true;
        return;
      }
      this.readEpoch = epoch + 1;
      this.readRows = 0;
      this.source.reset(this.readEpoch);
      return;
    }
    if (batch.numRows === 0) return;
    let aligned: RecordBatch;
    try {
      aligned = this.align(batch);
    } catch (cause) {
      throw new ConfigError("MIX_SCHEMA", `source ${id} yields batches that do not fit the mixed schema: ${(cause as Error).message}`, { id: this.name, cause });
    }
    if (this.skipFirst > 0) {
      if (this.skipFirst >= batch.numRows) throw new StateError("MIX_STATE", `restored state skips ${this.skipFirst} rows of a ${batch.numRows}-row batch of source ${id}`, { id: this.name });
      this.queue.clear(this.skipFirst);
      this.skipFirst = 0;
    }
    if (this.readRows >= 0) this.readRows += batch.numRows;
    this.queue.push({ end: false, batch: aligned, before, epoch });
  }

  private clear(): void {
    this.generation++;
    this.queue.clear();
    this.skipFirst = 0;
    this.failure = null;
    this.readEnded = false;
    this.wanted = null;
  }

  /** Applies a restore/reset to the source now, or once the read in flight has settled. */
  private apply(op: Pending): void {
    this.pending = op;
    if (this.busy === null) this.settle();
  }

  private settle(): void {
    const op = this.pending;
    this.pending = null;
    if (op === null) return;
    try {
      if ("reset" in op) this.source.reset(op.reset);
      else this.source.restore(op.restore);
    } catch (error) {
      this.failure = { error };
    }
  }
}
