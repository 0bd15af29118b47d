import type { RecordBatch } from "apache-arrow";
import type { JsonValue } from "@cotrain/core";

/** A batch read from a source (with the source's state before the read), or the end of an epoch. */
export type Item = { end: false; batch: RecordBatch; before: JsonValue; epoch: number } | { end: true; before: JsonValue; epoch: number };

/**
 * The rows read from one source and not yet consumed, with end-of-epoch markers between epochs, and the counters
 * of the cursor that consumes them. Consuming hands out zero-copy slices of the queued batches.
 */
export class RowQueue {
  private items: Item[] = [];
  /** Rows of the first item already consumed. */
  head = 0;
  /** Unconsumed rows in the queue (across end markers). */
  rows = 0;
  /** The epoch at the cursor (what the source was last reset with, counting restarts at its end). */
  epoch = 0;
  /** Ends of epoch passed by the cursor, over the queue's life. */
  completed = 0;
  /** Ends passed since the last `clear(epoch)` (for the all_exhausted policy). */
  passed = 0;
  /** Rows consumed in the cursor's epoch. */
  position = 0;

  constructor(
    private readonly name: string,
    private readonly repeat: boolean,
  ) {}

  get length(): number {
    return this.items.length;
  }

  first(): Item | undefined {
    return this.items[0];
  }

  push(item: Item): void {
    this.items.push(item);
    if (!item.end) this.rows += item.batch.numRows - (this.items.length === 1 ? this.head : 0);
  }

  /** Moves the cursor past the end marker at its position, counting the epoch. */
  passEnd(): void {
    const item = this.items[0];
    if (item === undefined || !item.end) throw new Error(`mixer internal: ${this.name} is not at an end of epoch`);
    this.items.shift();
    this.completed++;
    this.passed++;
    if (this.repeat) {
      this.epoch = item.epoch + 1;
      this.position = 0;
    }
  }

  /** Consumes `rows` rows, calling `visit` with each batch and row range (crossing ends of epoch when repeating). */
  consume(rows: number, visit: (batch: RecordBatch, from: number, to: number) => void): void {
    while (rows > 0) {
      const first = this.items[0];
      if (first === undefined) throw new Error(`mixer internal: ${this.name} has fewer buffered rows than asked`);
      if (first.end) {
        this.passEnd();
        continue;
      }
      const n = Math.min(rows, first.batch.numRows - this.head);
      visit(first.batch, this.head, this.head + n);
      this.head += n;
      this.rows -= n;
      this.position += n;
      rows -= n;
      if (this.head === first.batch.numRows) {
        this.items.shift();
        this.head = 0;
      }
    }
  }

  /** Drops every queued item; `head` becomes the rows of the next pushed batch to treat as consumed. */
  clear(head = 0): void {
    this.items = [];
    this.head = head;
    this.rows = 0;
  }
}
