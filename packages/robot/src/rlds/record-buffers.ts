/**
 * Read buffers for TFRecord bodies, handed back once nothing refers to their bytes, so a reader that copies what it
 * keeps out of each record (openRlds copies the images into the batch) reads record after record into the same
 * few buffers. Why: an RLDS record is an episode of megabytes, and a fresh buffer per record costs page faults on
 * every read and, at ~1 MB per episode, drives V8 into a full collection every few dozen records ("external memory
 * pressure"), which a profile of openRlds showed as a fifth of its time.
 *
 * Whoever takes a buffer owns it until it gives it back; a buffer never given back is simply collected. At most
 * `keep` free buffers are held, so memory is bounded by the records in flight plus `keep` of the largest.
 */
export class RecordBuffers {
  private readonly free: Uint8Array[] = [];

  constructor(private readonly keep = 4) {}

  /** A buffer of at least `size` bytes (contents undefined): a free one if one is large enough, else a new one. */
  take(size: number): Uint8Array {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const buffer = this.free[i] as Uint8Array;
      if (buffer.byteLength >= size) {
        this.free.splice(i, 1);
        return buffer;
      }
    }
    // A quarter of headroom, so episodes a little longer than the last do not each need a new buffer.
    const bytes = size + (size >> 2);
    return new Uint8Array(Buffer.allocUnsafeSlow(bytes).buffer, 0, bytes);
  }

  /** Hands `buffer` back: its bytes may be overwritten by the next read. */
  give(buffer: Uint8Array): void {
    if (this.free.length >= this.keep) this.free.shift();
    this.free.push(buffer);
  }
}
