/**
 * Positioned reads from a file of known size, local or remote: what every reader reads bytes through (TFRecord
 * shards, the LLaVA JSON stream, Arrow and Parquet shards, images). `RandomAccessFile` is the local one,
 * `RemoteFile` the one over HTTP(S)/S3 with its on-disk cache; `openByteSource` picks by the location.
 */
export interface ByteSource {
  /** The path or URL, for messages. */
  readonly path: string;
  /** Size in bytes when opened. */
  readonly size: number;
  /** Reads up to `length` bytes at `position` into `buffer[offset…]`; resolves with the count (0 at the end). */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** Exactly `length` bytes at `position` in a new Buffer, or an error when the file ends first. */
  readExactly(position: number, length: number): Promise<Buffer>;
  /** Idempotent. */
  close(): Promise<void>;
}
