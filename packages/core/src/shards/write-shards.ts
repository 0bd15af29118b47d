import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { RecordBatch } from "apache-arrow";
import { alignBatch } from "../arrow/batches.js";
import { CANONICAL_SCHEMA } from "../schema.js";
import type { JsonValue, Source } from "../source.js";
import { validateShardSpec } from "../partition.js";
import type { ShardSpec } from "../partition.js";
import { tempPathFor } from "./atomic.js";
import { rename } from "node:fs/promises";
import { createArrowShardWriter } from "./arrow-shard.js";
import { createParquetShardWriter } from "./parquet-shard.js";
import { describeSchema, isJsonObject, writeManifest } from "./manifest.js";
import type { Manifest, ShardEntry, ShardFormat } from "./manifest.js";
import type { ShardFileWriter } from "./shard-writer.js";

export interface WriteShardsOptions {
  format?: ShardFormat;
  /** A shard is closed when it reaches this many rows (default 50,000). */
  maxRowsPerShard?: number;
  /** …or when its size reaches this many bytes (default 256 MiB; for Parquet, estimated from Arrow sizes). */
  maxBytesPerShard?: number;
  /** File name prefix (default "part"). */
  prefix?: string;
  /** The `--shard i/n` of this job: names its files and manifest so n workers can share one folder. */
  worker?: ShardSpec;
  /** Parquet row group size (default 1024). */
  rowGroupSize?: number;
  /** Recorded as the manifest's `meta`: what the job did to the data (e.g. `{images: {size: [224, 224], ...}}`). */
  meta?: Record<string, JsonValue>;
  /** Called after each batch with the rows written so far. */
  onProgress?: (rows: number) => void;
}

/**
 * Writes a stream of canonical batches to shard files of bounded size plus a JSON manifest (rows, bytes, sha256
 * per shard). Each shard is written under a temporary name and renamed when complete, and the manifest is written
 * last, so a crash leaves no file that looks whole and no manifest that names a missing shard.
 */
export async function writeShards(source: Source, dir: string, options: WriteShardsOptions = {}): Promise<Manifest> {
  const format = options.format ?? "arrow";
  if (format !== "arrow" && format !== "parquet") throw new RangeError(`format must be "arrow" or "parquet", got ${JSON.stringify(format)}`);
  const maxRows = options.maxRowsPerShard ?? 50_000;
  const maxBytes = options.maxBytesPerShard ?? 256 * 1024 * 1024;
  if (!Number.isInteger(maxRows) || maxRows <= 0) throw new RangeError(`maxRowsPerShard must be a positive integer, got ${maxRows}`);
  if (!(maxBytes > 0)) throw new RangeError(`maxBytesPerShard must be positive, got ${maxBytes}`);
  const worker = options.worker ? validateShardSpec(options.worker) : undefined;
  if (options.meta !== undefined && !isJsonObject(options.meta)) throw new TypeError(`meta must be a JSON object, got ${JSON.stringify(options.meta)}`);
  const prefix = `${options.prefix ?? "part"}${worker && worker.count > 1 ? `-w${worker.index}` : ""}`;
  await mkdir(dir, { recursive: true });

  const shards: ShardEntry[] = [];
  let schema = format === "parquet" ? CANONICAL_SCHEMA : undefined;
  let current: { writer: ShardFileWriter; file: string; rows: number } | null = null;
  let total = 0;

  const open = async (): Promise<NonNullable<typeof current>> => {
    const file = `${prefix}-${String(shards.length).padStart(5, "0")}.${format}`;
    const tmp = tempPathFor(join(dir, file));
    const writer = format === "arrow" ? await createArrowShardWriter(tmp) : await createParquetShardWriter(tmp, options.rowGroupSize);
    return { writer, file, rows: 0 };
  };
  const close = async (): Promise<void> => {
    if (current === null) return;
    const { bytes, sha256 } = await current.writer.finish();
    await rename(tempPathFor(join(dir, current.file)), join(dir, current.file));
    shards.push({ file: current.file, rows: current.rows, bytes, sha256 });
    current = null;
  };

  try {
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      let rest: RecordBatch = format === "parquet" ? alignBatch(batch, CANONICAL_SCHEMA) : batch;
      schema ??= rest.schema;
      while (rest.numRows > 0) {
        current ??= await open();
        const n = Math.min(rest.numRows, maxRows - current.rows);
        await current.writer.write(n === rest.numRows ? rest : rest.slice(0, n));
        current.rows += n;
        total += n;
        rest = rest.slice(n, rest.numRows);
        if (current.rows >= maxRows || current.writer.bytesWritten >= maxBytes) await close();
      }
      options.onProgress?.(total);
    }
    await close();
  } catch (error) {
    const failed = current as { writer: ShardFileWriter } | null;
    await failed?.writer.abort();
    throw error;
  }

  const manifest: Manifest = {
    manifest_version: 1,
    format,
    schema: describeSchema(schema ?? CANONICAL_SCHEMA),
    schema_metadata: Object.fromEntries((schema ?? CANONICAL_SCHEMA).metadata),
    shards,
    total_rows: total,
    total_bytes: shards.reduce((n, s) => n + s.bytes, 0),
    ...(worker ? { worker } : {}),
    pipeline: source.describe(),
    ...(options.meta ? { meta: JSON.parse(JSON.stringify(options.meta)) as Record<string, JsonValue> } : {}),
    created_by: "@cotrain/core writeShards",
  };
  await writeManifest(dir, manifest);
  return manifest;
}
