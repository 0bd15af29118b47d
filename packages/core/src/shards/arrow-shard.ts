import { createReadStream } from "node:fs";
import { RecordBatchReader, RecordBatchStreamWriter } from "apache-arrow";
import type { RecordBatch } from "apache-arrow";
import { FormatError } from "../errors.js";
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

/** Streams the batches of one Arrow IPC stream file. */
export async function* readArrowShard(path: string): AsyncGenerator<RecordBatch> {
  let reader: AsyncIterable<RecordBatch>;
  try {
    reader = (await RecordBatchReader.from(createReadStream(path, { highWaterMark: 1 << 20 }))) as unknown as AsyncIterable<RecordBatch>;
  } catch (cause) {
    throw new FormatError("SHARD_ARROW_UNREADABLE", `not an Arrow IPC stream: ${(cause as Error).message}`, { file: path, cause });
  }
  try {
    for await (const batch of reader) yield batch;
  } catch (cause) {
    throw new FormatError("SHARD_ARROW_UNREADABLE", `Arrow IPC stream is corrupt: ${(cause as Error).message}`, { file: path, cause });
  }
}
