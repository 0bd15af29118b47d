import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { RecordBatch, Schema } from "apache-arrow";
import { alignBatch } from "../arrow/batches.js";
import { CANONICAL_SCHEMA } from "../schema.js";
import type { JsonValue, Source } from "../source.js";
import { validateShardSpec } from "../partition.js";
import type { ShardSpec } from "../partition.js";
import { StateError } from "../errors.js";
import { tempPathFor } from "./atomic.js";
import { rename } from "node:fs/promises";
import { createArrowShardWriter } from "./arrow-shard.js";
import { createParquetShardWriter } from "./parquet-shard.js";
import { describeSchema, isJsonObject, writeManifest } from "./manifest.js";
import type { Manifest, ShardEntry, ShardFormat } from "./manifest.js";
import type { ShardFileWriter } from "./shard-writer.js";
import { prepareShardDir } from "./resume-shards.js";
import { progressName, removeProgress, writeProgress } from "./write-progress.js";
import type { InputPosition, ShardJob, WriteProgress } from "./write-progress.js";

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
  /**
   * Continue a job that was interrupted in `dir` from its last complete shard (its progress record), writing the
   * same shards an uninterrupted run would; a job that had finished is returned as it is. The source must be a
   * fresh one built the same way, and the options the same (a difference is a StateError naming it). Without a
   * progress record the job starts afresh.
   */
  resume?: boolean;
  /** Called once, before any batch is read, when `resume` found an interrupted or finished job. */
  onResume?: (from: { shards: number; rows: number; finished: boolean }) => void;
  /** Called after each batch with the rows written so far. */
  onProgress?: (rows: number) => void;
}

/**
 * Writes a stream of canonical batches to shard files of bounded size plus a JSON manifest (rows, bytes, sha256
 * per shard). Each shard is written under a temporary name and renamed when complete, and the manifest is written
 * last, so a crash leaves no file that looks whole and no manifest that names a missing shard. After each shard the
 * job's progress record (write-progress.ts: the shards so far and the input's position after them) is rewritten
 * atomically, which is what `resume` continues from; the record is removed once the manifest is written.
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
  const meta = options.meta ? (JSON.parse(JSON.stringify(options.meta)) as Record<string, JsonValue>) : null;
  const job: ShardJob = { format, maxRowsPerShard: maxRows, maxBytesPerShard: maxBytes, prefix, worker: worker ? { index: worker.index, count: worker.count } : null, rowGroupSize: options.rowGroupSize ?? 1024, meta, pipeline: source.describe() };
  await mkdir(dir, { recursive: true });
  const start = await prepareShardDir(dir, job, options.resume ?? false);
  if (start.kind === "finished") {
    options.onResume?.({ shards: start.manifest.shards.length, rows: start.manifest.total_rows, finished: true });
    return start.manifest;
  }
  const saved = start.kind === "continue" ? start.progress : null;
  if (saved) options.onResume?.({ shards: saved.shards.length, rows: saved.rows, finished: false });

  const shards: ShardEntry[] = saved ? [...saved.shards] : [];
  let stored: WriteProgress["schema"] = saved?.schema ?? null;
  let current: { writer: ShardFileWriter; file: string; rows: number } | null = null;
  let total = saved?.rows ?? 0;
  // The input's position before the batch being written: `state` to restore (absent: the source's start) and the
  // rows of that batch already in shards.
  let before: InputPosition = saved ? saved.position : { skip: 0 };
  if (before.state !== undefined) source.restore(before.state);

  const open = async (): Promise<NonNullable<typeof current>> => {
    const file = `${prefix}-${String(shards.length).padStart(5, "0")}.${format}`;
    const tmp = tempPathFor(join(dir, file));
    const writer = format === "arrow" ? await createArrowShardWriter(tmp) : await createParquetShardWriter(tmp, job.rowGroupSize);
    return { writer, file, rows: 0 };
  };
  const close = async (position: () => InputPosition): Promise<void> => {
    if (current === null) return;
    const { bytes, sha256 } = await current.writer.finish();
    await rename(tempPathFor(join(dir, current.file)), join(dir, current.file));
    shards.push({ file: current.file, rows: current.rows, bytes, sha256 });
    current = null;
    await writeProgress(dir, { progress_version: 1, job, shards, rows: total, schema: stored, position: position() });
  };

  try {
    let skip = before.skip;
    for (let batch = await source.next(); batch !== null; batch = await source.next()) {
      if (skip > batch.numRows) throw new StateError("SHARDS_RESUME_POSITION", `cannot resume: the restored input's next batch holds ${batch.numRows} rows, but ${skip} of it were already written; was the input changed?`, { file: join(dir, progressName(job.worker)), field: "position" });
      let rest: RecordBatch = format === "parquet" ? alignBatch(batch, CANONICAL_SCHEMA) : batch;
      if (skip > 0) rest = rest.slice(skip, rest.numRows);
      if (stored === null) stored = schemaRecord(format === "parquet" ? CANONICAL_SCHEMA : rest.schema);
      const at = before;
      let written = skip;
      while (rest.numRows > 0) {
        current ??= await open();
        const n = Math.min(rest.numRows, maxRows - current.rows);
        await current.writer.write(n === rest.numRows ? rest : rest.slice(0, n));
        current.rows += n;
        total += n;
        written += n;
        rest = rest.slice(n, rest.numRows);
        // A shard ending inside the batch resumes from the batch's start, skipping what is written; one ending with
        // it, from the source's state after it.
        const inside = rest.numRows > 0;
        if (current.rows >= maxRows || current.writer.bytesWritten >= maxBytes) await close(() => (inside ? { ...at, skip: written } : { state: source.state(), skip: 0 }));
      }
      before = { state: source.state(), skip: 0 };
      skip = 0;
      options.onProgress?.(total);
    }
    await close(() => before);
  } catch (error) {
    const failed = current as { writer: ShardFileWriter } | null;
    await failed?.writer.abort();
    throw error;
  }

  const schema = stored ?? schemaRecord(CANONICAL_SCHEMA);
  const manifest: Manifest = {
    manifest_version: 1,
    format,
    schema: schema.schema,
    schema_metadata: schema.schema_metadata,
    shards,
    total_rows: total,
    total_bytes: shards.reduce((n, s) => n + s.bytes, 0),
    ...(worker ? { worker } : {}),
    pipeline: source.describe(),
    ...(meta ? { meta } : {}),
    created_by: "@cotrain/core writeShards",
  };
  await writeManifest(dir, manifest);
  await removeProgress(dir, job.worker);
  return manifest;
}

function schemaRecord(schema: Schema): NonNullable<WriteProgress["schema"]> {
  return { schema: describeSchema(schema), schema_metadata: Object.fromEntries(schema.metadata) };
}
