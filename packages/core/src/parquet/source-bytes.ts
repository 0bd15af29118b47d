import { TruncatedError } from "../errors.js";

/**
 * The bytes of one file as the Parquet reader sees them: a size and positioned reads. `RandomAccessFile` is one; a
 * remote file (range reads under a cache) can be another, so the reader never touches a path itself. Kept to the
 * three members the reader uses, so that any fuller byte-source type satisfies it as it is.
 */
export interface ParquetByteSource {
  /** Size in bytes. */
  readonly size: number;
  /** Reads up to `length` bytes at `position` into `buffer[offset…]`; resolves with the count read (0 at the end). */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

/** Exactly `length` bytes at `position`, or a TruncatedError naming `name` and the offset where the bytes ran out. */
export async function readExactly(source: ParquetByteSource, name: string, position: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = await source.read(bytes, done, length - done, position + done);
    if (n === 0) {
      throw new TruncatedError("PARQUET_TRUNCATED", `wanted ${length} bytes at byte ${position}, but the file ends after ${done} of them`, { file: name, offset: position + done });
    }
    done += n;
  }
  return bytes;
}
