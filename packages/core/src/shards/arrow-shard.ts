import { RecordBatchReader, RecordBatchStreamWriter } from "apache-arrow";
import type { RecordBatch } from "apache-arrow";
import { checkBatch } from "../arrow/check-batch.js";
import { prescanArrowStream } from "./arrow-prescan.js";
import { FormatError } from "../errors.js";
import type { ByteSource } from "../files/byte-source.js";
import { openByteSource } from "../files/open-location.js";
import { HashingFile } from "./hashing-file.js";
import type { ShardFileWriter } from "./shard-writer.js";

/** An Arrow IPC stream file; Arrow's writer runs concurrently with a consumer that hashes and writes its bytes. */
export async function createArrowShardWriter(path: string): Promise<ShardFileWriter> {
  const file = await HashingFile.create(path);
  const writer = new RecordBatchStreamWriter();
  const drained = (async () => {
    for await (const chunk of writer) await file.write(chunk);
  })();
  return {
    async write(batch: RecordBatch) {
      writer.write(batch);
    },
    get bytesWritten() {
      return file.bytes;
    },
    async finish() {
      writer.finish();
      await drained;
      return file.close();
    },
    async abort() {
      writer.abort();
      await drained.catch(() => undefined);
      await file.close().catch(() => undefined);
    },
  };
}

/**
 * The byte source (a RandomAccessFile, or a RemoteFile for a URL) in the shape Arrow takes a Node FileHandle in
 * (stat, positioned read, close): Arrow then reads each message body into one buffer of exactly its size. Fed
 * fixed-size chunks instead, it joined them into each body, copying every byte of the shard once more (a third of
 * the CPU of reading raw-pixel shards).
 */
function asArrowFile(file: ByteSource): object {
  return {
    fd: -1, // Arrow recognizes a file handle by its `stat` and a numeric `fd`; it never uses the number
    stat: async () => ({ size: file.size }),
    read: async (buffer: Uint8Array, offset: number, length: number, position: number) => {
      // A corrupt message length sends Arrow to a negative or absurd position: refused here, as Arrow's own error.
      if (!(Number.isSafeInteger(position) && position >= 0 && length >= 0)) throw new RangeError(`a read of ${length} bytes at offset ${position}: a corrupt message length`);
      return { bytesRead: await file.read(buffer, offset, length, position), buffer };
    },
    close: async () => undefined, // closed by readArrowShard
  };
}

/**
 * Streams the batches of one Arrow IPC stream file. Read through a RandomAccessFile rather than a read stream: a
 * stream dropped mid-file (a consumer that abandons the source) would keep its descriptor open forever, while the
 * RandomAccessFile's is closed when it is collected; the end of the file, an error and `return()` close it at once.
 */
export async function* readArrowShard(path: string): AsyncGenerator<RecordBatch> {
  const file = await openByteSource(path);
  try {
    // Arrow trusts the lengths in each message's metadata; a corrupt one could make it allocate without end.
    await prescanArrowStream(file, path);
    let reader: AsyncIterable<RecordBatch>;
    try {
      reader = (await RecordBatchReader.from(asArrowFile(file) as never)) as unknown as AsyncIterable<RecordBatch>;
    } catch (cause) {
      throw new FormatError("SHARD_ARROW_UNREADABLE", `not an Arrow IPC stream: ${(cause as Error).message}`, { file: path, offset: 0, cause });
    }
    // The rows yielded so far: where a later fault is (Arrow does not say at which byte).
    let row = 0;
    const batches = reader[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<RecordBatch>;
      try {
        next = await batches.next();
      } catch (cause) {
        throw new FormatError("SHARD_ARROW_UNREADABLE", `Arrow IPC stream is corrupt after ${row} rows: ${(cause as Error).message}`, { file: path, row, cause });
      }
      if (next.done) break;
      checkBatch(next.value, { file: path, row }, "SHARD_ARROW_INVALID");
      row += next.value.numRows;
      yield next.value;
    }
  } finally {
    await file.close();
  }
}
