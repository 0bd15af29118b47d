import { close as closeFd, fstat, open as openFd, read as readFd } from "node:fs";

/**
 * Closes the descriptor of a file whose owner was dropped without `close()` (a consumer that reads a few batches
 * and lets the source go). Registered per file, unregistered by `close()`, so a descriptor is closed exactly once:
 * closing a number twice could close an unrelated file that reused it.
 */
const abandoned = new FinalizationRegistry<number>((fd) => closeFd(fd, () => undefined));

/**
 * A read-only file for positioned reads, held open across many reads (a reader's cursor keeps one per shard).
 *
 * Why a numeric descriptor and the callback `fs` API rather than `fs/promises`' FileHandle: a FileHandle that is
 * garbage-collected while open makes Node print DEP0137 (and a future Node will throw), and readers are routinely
 * abandoned mid-epoch. A plain descriptor has no such finalizer, so this class brings its own: when the object is
 * collected unclosed, the FinalizationRegistry above closes the descriptor. Opening per read instead would cost a
 * syscall pair per TFRecord header (a shuffled RLDS pass reads every 12-byte header). The callback `fs.read` is
 * also cheaper per call than `FileHandle.read`.
 *
 * A read in flight keeps the object reachable (its callback refers to it), so the registry never closes a
 * descriptor under a pending read; `close()` waits for pending reads before closing.
 */
export class RandomAccessFile {
  private fd: number;
  private reads = 0;
  private drained: (() => void) | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    fd: number,
    /** Size in bytes when opened. */
    readonly size: number,
  ) {
    this.fd = fd;
    abandoned.register(this, fd, this);
  }

  /** Opens `path` for reading; errors are Node's own (ENOENT, EACCES, …) for the caller to translate. */
  static open(path: string): Promise<RandomAccessFile> {
    return new Promise((resolve, reject) => {
      openFd(path, "r", (error, fd) => {
        if (error) return reject(error);
        fstat(fd, (statError, stats) => {
          if (statError) return closeFd(fd, () => reject(statError));
          resolve(new RandomAccessFile(path, fd, stats.size));
        });
      });
    });
  }

  get closed(): boolean {
    return this.fd < 0;
  }

  /** Reads up to `length` bytes at file offset `position` into `buffer[offset…]`; resolves with the count read. */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    if (this.fd < 0) return Promise.reject(new Error(`read from closed file ${this.path}`));
    this.reads++;
    return new Promise((resolve, reject) => {
      try {
        readFd(this.fd, buffer, offset, length, position, (error, bytesRead) => {
          this.settled(); // refers to `this`, which keeps the file alive while the read is pending
          if (error) reject(error);
          else resolve(bytesRead);
        });
      } catch (error) {
        // Node refuses bad arguments (a negative position, a range past the buffer) synchronously: no read is
        // pending then, and close() must not wait for one.
        this.settled();
        reject(error);
      }
    });
  }

  /** Reads exactly `length` bytes at `position` into a new Buffer, or fails (a Parquet page cannot be short). */
  async readExactly(position: number, length: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = await this.read(buffer, done, length - done, position + done);
      if (n === 0) throw new Error(`${this.path}: wanted ${length} bytes at offset ${position}, the file ends after ${done}`);
      done += n;
    }
    return buffer;
  }

  /** Closes the descriptor once pending reads finish. Idempotent: later calls resolve when the first one does. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const fd = this.fd;
    this.fd = -1;
    abandoned.unregister(this);
    this.closing = (async () => {
      if (this.reads > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      await new Promise<void>((resolve, reject) => closeFd(fd, (error) => (error ? reject(error) : resolve())));
    })();
    return this.closing;
  }

  private settled(): void {
    this.reads--;
    if (this.reads === 0 && this.drained) {
      const drained = this.drained;
      this.drained = null;
      drained();
    }
  }
}
