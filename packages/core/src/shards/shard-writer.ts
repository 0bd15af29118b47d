import type { RecordBatch } from "apache-arrow";

/** Writes one shard file; `finish` returns what the manifest records. */
export interface ShardFileWriter {
  write(batch: RecordBatch): Promise<void>;
  /** Bytes written so far (for the Parquet writer an estimate until `finish`). */
  readonly bytesWritten: number;
  finish(): Promise<{ bytes: number; sha256: string }>;
  abort(): Promise<void>;
}
