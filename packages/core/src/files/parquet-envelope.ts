import parquet from "parquetjs-lite";
import type { ParquetEnvelopeReader, ParquetReader } from "parquetjs-lite";
import { RandomAccessFile } from "./random-access-file.js";

/**
 * parquetjs-lite's envelope (the byte layer under its reader) over a RandomAccessFile instead of the library's own
 * `openFile`, which keeps a bare descriptor that nothing closes when a reader is dropped without `close()`. Here
 * the descriptor belongs to the RandomAccessFile, so an abandoned reader's descriptor is closed when it is
 * collected, and `close()` is idempotent. Core, robot (LeRobot) and vqa (Parquet VQA) all open Parquet this way.
 */
export async function openParquetEnvelope(path: string): Promise<ParquetEnvelopeReader> {
  const file = await RandomAccessFile.open(path);
  return new parquet.ParquetEnvelopeReader((offset, length) => file.readExactly(offset, length), () => file.close(), file.size);
}

/** A parquetjs-lite reader (header and footer read) whose file is closed by `close()` or when it is collected. */
export async function openParquetReader(path: string): Promise<ParquetReader> {
  // openEnvelopeReader closes the envelope itself when the header or footer is bad.
  return parquet.ParquetReader.openEnvelopeReader(await openParquetEnvelope(path));
}
