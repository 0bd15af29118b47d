import type { ByteSource } from "../files/byte-source.js";
import type { RemoteHead } from "./http-fetcher.js";

/** What a RemoteFile needs from its client: one block of a file, from the cache or the network. */
export interface BlockLoader {
  readonly blockSize: number;
  readonly readAhead: number;
  block(location: string, head: RemoteHead, index: number): Promise<Uint8Array>;
}

/**
 * A remote file as a ByteSource: positioned reads served from fixed-size blocks, each fetched once by a Range
 * request into the on-disk cache (see RemoteClient). The few most recent blocks stay in memory, so a reader that
 * walks a file in small reads (12-byte TFRecord headers, 256 KiB JSON chunks) touches the disk once per block; a
 * reader going forward block after block has the next `readAhead` blocks fetched while it works on this one.
 */
export class RemoteFile implements ByteSource {
  private readonly recent = new Map<number, Promise<Uint8Array>>();
  private readonly capacity: number;
  private last = -1;
  private closed_ = false;

  constructor(
    readonly path: string,
    private readonly head: RemoteHead,
    private readonly loader: BlockLoader,
  ) {
    this.capacity = 2 + loader.readAhead;
  }

  get size(): number {
    return this.head.size;
  }

  get closed(): boolean {
    return this.closed_;
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    if (this.closed_) throw new Error(`read from closed file ${this.path}`);
    const end = Math.min(this.size, position + length);
    if (position >= end) return 0;
    const size = this.loader.blockSize;
    let done = 0;
    for (let index = Math.floor(position / size); index * size < end; index++) {
      const block = await this.block(index);
      const from = Math.max(position, index * size) - index * size;
      const to = Math.min(end, (index + 1) * size) - index * size;
      buffer.set(block.subarray(from, to), offset + done);
      done += to - from;
    }
    return done;
  }

  async readExactly(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    const n = await this.read(buffer, 0, length, position);
    if (n < length) throw new Error(`${this.path}: wanted ${length} bytes at offset ${position}, the file ends after ${n}`);
    return buffer;
  }

  async close(): Promise<void> {
    this.closed_ = true;
    this.recent.clear();
  }

  private block(index: number): Promise<Uint8Array> {
    const sequential = index === this.last + 1;
    this.last = index;
    const block = this.remember(index);
    if (sequential) {
      const count = Math.ceil(this.size / this.loader.blockSize);
      for (let k = 1; k <= this.loader.readAhead && index + k < count; k++) this.remember(index + k).catch(() => undefined);
    }
    return block;
  }

  /** The block from memory, or a load of it kept in memory (forgotten if it fails, so a later read tries again). */
  private remember(index: number): Promise<Uint8Array> {
    let block = this.recent.get(index);
    if (block) {
      this.recent.delete(index);
    } else {
      block = this.loader.block(this.path, this.head, index);
      const loaded = block;
      loaded.catch(() => {
        if (this.recent.get(index) === loaded) this.recent.delete(index);
      });
    }
    this.recent.set(index, block);
    while (this.recent.size > this.capacity) this.recent.delete(this.recent.keys().next().value as number);
    return block;
  }
}
