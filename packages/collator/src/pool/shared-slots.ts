/**
 * Memory shared with the workers (SharedArrayBuffer), reused batch after batch, for the two big things a batch
 * moves: its rows going to a worker (Arrow IPC bytes, megabytes of images) and its pixels coming back (a worker
 * writes them straight into a slot, and the consumer reads them there until it releases the batch). Nothing of
 * megabytes is allocated, moved or collected per batch: moving a fresh buffer to or from a thread each batch made
 * both sides' garbage collectors run full collections every few batches (V8 counts each new buffer as new external
 * memory; measured on the row bytes: 33 full collections of the main thread in 3,000 samples, 0.6 ms per sample).
 * At most `limit` slots exist; while all are taken, a batch goes without one (its own buffer, as before).
 */
export interface SharedSlot {
  readonly id: number;
  buffer: SharedArrayBuffer;
}

export class SharedSlots {
  private readonly free: SharedSlot[] = [];
  private count = 0;

  /** `headroom`: a new or grown slot holds this many times the bytes asked for (row bytes vary from batch to batch). */
  constructor(
    private readonly limit: number,
    private readonly headroom = 1,
  ) {}

  /** A slot of at least `bytes` bytes (grown when it is smaller), or undefined when none is left. */
  take(bytes: number): SharedSlot | undefined {
    if (bytes === 0) return undefined;
    const size = Math.ceil(bytes * this.headroom);
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.count >= this.limit) return undefined;
      slot = { id: this.count++, buffer: new SharedArrayBuffer(size) };
    } else if (slot.buffer.byteLength < bytes) slot.buffer = new SharedArrayBuffer(size);
    return slot;
  }

  give(slot: SharedSlot): void {
    this.free.push(slot);
  }
}
