import { RecordBatchReader, RecordBatchStreamWriter } from "apache-arrow";
import type { RecordBatch } from "apache-arrow";
import { FormatError } from "../errors.js";
import { RandomAccessFile } from "../files/random-access-file.js";
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
 * The RandomAccessFile in the shape Arrow takes a Node FileHandle in (stat, positioned read, close): Arrow then reads
 * each message body into one buffer of exactly its size. Fed fixed-size chunks instead, it joined them into each
 * body, copying every byte of the shard once more (a third of the CPU of reading raw-pixel shards).
 */
function asArrowFile(file: RandomAccessFile): object {
  return {
    fd: -1, // Arrow recognizes a file handle by its `stat` and a numeric `fd`; it never uses the number
    stat: async () => ({ size: file.size }),
    read: async (buffer: Uint8Array, offset: number, length: number, position: number) => ({ bytesRead: await file.read(buffer, offset, length, position), buffer }),
    close: async () => undefined, // closed by readArrowShard
  };
}

/**
 * Streams the batches of one Arrow IPC stream file. Read through a RandomAccessFile rather than a read stream: a
 * stream dropped mid-file (a consumer that abandons the source) would keep its descriptor open forever, while the
 * RandomAccessFile's is closed when it is collected; the end of the file, an error and `return()` close it at once.
 */
export async function* readArrowShard(path: string): AsyncGenerator<RecordBatch> {
  const file = await RandomAccessFile.open(path);
  try {
    let reader: AsyncIterable<RecordBatch>;
    try {
      reader = (await RecordBatchReader.from(asArrowFile(file) as never)) as unknown as AsyncIterable<RecordBatch>;
    } catch (cause) {
      throw new FormatError("SHARD_ARROW_UNREADABLE", `not an Arrow IPC stream: ${(cause as Error).message}`, { file: path, cause });
    }
    try {
      for await (const batch of reader) yield batch;
    } catch (cause) {
      throw new FormatError("SHARD_ARROW_UNREADABLE", `Arrow IPC stream is corrupt: ${(cause as Error).message}`, { file: path, cause });
    }
  } finally {
    await file.close();
  }
}
