/**
 * Pixel arrays shared with the workers (SharedArrayBuffer), reused batch after batch: a worker writes a batch's
 * pixels straight into a slot, and the consumer reads them there until it releases the batch. Nothing of tens of
 * MB is allocated, moved or collected per batch — moving a fresh array to and from a thread each batch made both
 * sides' garbage collectors run a full collection every batch or two (V8 counts each arrival as new external
 * memory). At most `limit` slots exist; while the consumer holds them all, batches get arrays of their own.
 */
export interface PixelSlot {
  readonly id: number;
  buffer: SharedArrayBuffer;
}

export class PixelSlots {
  private readonly free: PixelSlot[] = [];
  private count = 0;

  constructor(private readonly limit: number) {}

  /** A slot holding at least `floats` Float32 values (grown when it is smaller), or undefined when none is left. */
  take(floats: number): PixelSlot | undefined {
    if (floats === 0) return undefined;
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.count >= this.limit) return undefined;
      slot = { id: this.count++, buffer: new SharedArrayBuffer(floats * 4) };
    } else if (slot.buffer.byteLength < floats * 4) slot.buffer = new SharedArrayBuffer(floats * 4);
    return slot;
  }

  give(slot: PixelSlot): void {
    this.free.push(slot);
  }
}
