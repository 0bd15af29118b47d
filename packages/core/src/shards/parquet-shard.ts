import parquet from "parquetjs-lite";
import type { RecordBatch } from "apache-arrow";
import { batchToRows, rowsToBatch } from "../rows.js";
import type { CanonicalRow, Message, RowInput, SampleKind } from "../schema.js";
import { FormatError } from "../errors.js";
import { ParquetTable } from "../parquet/parquet-table.js";
import { hashFile } from "./hashing-file.js";
import type { ShardFileWriter } from "./shard-writer.js";

/**
 * The canonical row in Parquet, as plain Parquet that DuckDB, Spark and pandas read as they are: required strings,
 * repeated primitives for lists (which readers map to LIST), a repeated group for messages, optional scalars.
 * `action`/`state`/`action_is_pad` are never empty when present, so "no values" reads back as null.
 */
const SNAPPY = "SNAPPY";
export const CANONICAL_PARQUET_SCHEMA = new parquet.ParquetSchema({
  source: { type: "UTF8", compression: SNAPPY },
  kind: { type: "UTF8", compression: SNAPPY },
  sample_id: { type: "UTF8", compression: SNAPPY },
  images: { type: "BYTE_ARRAY", repeated: true, compression: SNAPPY },
  cameras: { type: "UTF8", repeated: true, compression: SNAPPY },
  messages: { repeated: true, fields: { role: { type: "UTF8", compression: SNAPPY }, content: { type: "UTF8", compression: SNAPPY } } },
  action: { type: "FLOAT", repeated: true, compression: SNAPPY },
  action_is_pad: { type: "BOOLEAN", repeated: true, compression: SNAPPY },
  state: { type: "FLOAT", repeated: true, compression: SNAPPY },
  episode_index: { type: "INT32", optional: true, compression: SNAPPY },
  step_index: { type: "INT32", optional: true, compression: SNAPPY },
  is_first: { type: "BOOLEAN", optional: true, compression: SNAPPY },
  is_last: { type: "BOOLEAN", optional: true, compression: SNAPPY },
});

function toParquetRow(row: CanonicalRow): Record<string, unknown> {
  const out: Record<string, unknown> = {
    source: row.source,
    kind: row.kind,
    sample_id: row.sample_id,
    images: row.images.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
    cameras: row.cameras,
    messages: row.messages.map((m) => ({ role: m.role, content: m.content })),
  };
  if (row.action) out.action = Array.from(row.action);
  if (row.action_is_pad) out.action_is_pad = row.action_is_pad;
  if (row.state) out.state = Array.from(row.state);
  if (row.episode_index !== null) out.episode_index = row.episode_index;
  if (row.step_index !== null) out.step_index = row.step_index;
  if (row.is_first !== null) out.is_first = row.is_first;
  if (row.is_last !== null) out.is_last = row.is_last;
  return out;
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

export function fromParquetRow(value: Record<string, unknown>, file: string, row: number): RowInput {
  for (const key of ["source", "kind", "sample_id"]) {
    if (typeof value[key] !== "string") throw new FormatError("SHARD_PARQUET_FIELD", `${key} is missing or not a string`, { file, row, field: key });
  }
  const optionalList = (key: string): number[] | null => (Array.isArray(value[key]) && (value[key] as unknown[]).length > 0 ? (value[key] as number[]) : null);
  const scalar = <T>(key: string): T | null => (value[key] === undefined || value[key] === null ? null : (value[key] as T));
  return {
    source: value.source as string,
    kind: value.kind as SampleKind,
    sample_id: value.sample_id as string,
    images: list<Buffer>(value.images).map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
    cameras: list<string>(value.cameras),
    messages: list<Message>(value.messages).map((m) => ({ role: m.role, content: m.content })),
    action: optionalList("action"),
    action_is_pad: optionalList("action_is_pad") as unknown as boolean[] | null,
    state: optionalList("state"),
    episode_index: scalar<number>("episode_index"),
    step_index: scalar<number>("step_index"),
    is_first: scalar<boolean>("is_first"),
    is_last: scalar<boolean>("is_last"),
  };
}

export async function createParquetShardWriter(path: string, rowGroupSize = 1024): Promise<ShardFileWriter> {
  const writer = await parquet.ParquetWriter.openFile(CANONICAL_PARQUET_SCHEMA, path, { rowGroupSize });
  writer.setMetadata("cotrain.schema_version", "1");
  let estimate = 0;
  return {
    async write(batch: RecordBatch) {
      for (const row of batchToRows(batch)) await writer.appendRow(toParquetRow(row));
      // Parquet encodes on row-group flush; the in-memory Arrow size is a close upper bound for sizing shards.
      estimate += batch.data.byteLength;
    },
    get bytesWritten() {
      return estimate;
    },
    async finish() {
      await writer.close();
      return hashFile(path);
    },
    async abort() {
      await writer.close().catch(() => undefined);
    },
  };
}

/**
 * Streams one canonical Parquet shard as batches of `batchSize` rows, starting at row `skip`, one row group in
 * memory at a time. The file is closed at the end, by the generator's `return()`, or (a generator dropped
 * mid-shard) when its descriptor is collected (see RandomAccessFile).
 */
export async function* readParquetShard(path: string, batchSize: number, skip = 0): AsyncGenerator<RecordBatch> {
  const table = await ParquetTable.open(path);
  try {
    let pending: RowInput[] = [];
    // Whole row groups before `skip` are stepped over by their metadata row counts, without decoding them.
    for (const group of table.rowGroups) {
      if (group.firstRow + group.rows <= skip) continue;
      const rows = await table.readRowGroup(group.index);
      for (let i = Math.max(0, skip - group.firstRow); i < rows.length; i++) {
        pending.push(fromParquetRow(rows[i] as Record<string, unknown>, path, group.firstRow + i));
        if (pending.length === batchSize) {
          yield rowsToBatch(pending);
          pending = [];
        }
      }
    }
    if (pending.length > 0) yield rowsToBatch(pending);
  } finally {
    await table.close();
  }
}
