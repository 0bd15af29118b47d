import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FormatError } from "../errors.js";
import type { JsonValue } from "../source.js";
import { writeAtomically } from "./atomic.js";
import { isJsonObject } from "./manifest.js";
import type { Manifest, ShardEntry, ShardFormat } from "./manifest.js";

/** What a shard-writing job was asked to do; a resumed job must be asked exactly the same. */
export interface ShardJob {
  format: ShardFormat;
  maxRowsPerShard: number;
  maxBytesPerShard: number;
  /** File name prefix, with the worker's `-w<i>` when the job is one of several. */
  prefix: string;
  worker: { index: number; count: number } | null;
  rowGroupSize: number;
  meta: Record<string, JsonValue> | null;
  /** The source's `describe()`: the same input read the same way. */
  pipeline: string;
}

/**
 * Where the input stands after the last complete shard: restore `state` into a fresh source (absent: start the
 * source from its beginning) and drop the first `skip` rows it yields (a shard may end inside a batch).
 */
export interface InputPosition {
  state?: JsonValue;
  skip: number;
}

/**
 * The record a writing job keeps beside its shards while it runs (`write-progress.json`), rewritten atomically after
 * each shard is renamed into place and removed once the manifest is written. It lists only complete shards, so a
 * job killed at any moment resumes from its last complete shard and never names a partial one.
 */
export interface WriteProgress {
  progress_version: 1;
  job: ShardJob;
  shards: ShardEntry[];
  /** Rows in `shards`. */
  rows: number;
  /** The stored schema as the manifest will record it (null until the first batch was seen). */
  schema: Pick<Manifest, "schema" | "schema_metadata"> | null;
  position: InputPosition;
}

export function progressName(worker?: { index: number; count: number } | null): string {
  return worker && worker.count > 1 ? `write-progress-${worker.index}-of-${worker.count}.json` : "write-progress.json";
}

export async function writeProgress(dir: string, progress: WriteProgress): Promise<void> {
  await writeAtomically(join(dir, progressName(progress.job.worker)), (tmp) => writeFile(tmp, `${JSON.stringify(progress)}\n`));
}

export async function removeProgress(dir: string, worker: ShardJob["worker"]): Promise<void> {
  await rm(join(dir, progressName(worker)), { force: true });
}

/** The job's progress record, or null when there is none. A record that does not parse is a FormatError naming it. */
export async function readProgress(dir: string, worker: ShardJob["worker"]): Promise<WriteProgress | null> {
  const file = join(dir, progressName(worker));
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw cause;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new FormatError("PROGRESS_UNREADABLE", `cannot read the progress record: ${(cause as Error).message}`, { file, cause });
  }
  const p = value as Partial<WriteProgress>;
  const bad = (field: string): never => {
    throw new FormatError("PROGRESS_MALFORMED", `progress record has a bad ${field}: ${JSON.stringify((p as Record<string, unknown>)[field])}`, { file, field });
  };
  if (p.progress_version !== 1) bad("progress_version");
  if (!isJsonObject(p.job)) bad("job");
  if (!Array.isArray(p.shards)) bad("shards");
  if (!Number.isInteger(p.rows) || (p.rows as number) < 0) bad("rows");
  if (!isJsonObject(p.position) || !Number.isInteger(p.position.skip) || (p.position.skip as number) < 0) bad("position");
  return p as WriteProgress;
}

/** The first option that differs between the job that wrote a progress record and this one, or null. */
export function jobDifference(saved: ShardJob, now: ShardJob): { field: string; was: unknown; now: unknown } | null {
  for (const key of Object.keys(now) as (keyof ShardJob)[]) {
    if (JSON.stringify(saved[key] ?? null) !== JSON.stringify(now[key] ?? null)) return { field: key, was: saved[key], now: now[key] };
  }
  return null;
}
