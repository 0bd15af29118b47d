import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Schema } from "apache-arrow";
import { FormatError, MissingError } from "../errors.js";
import { isRemote, joinLocation, parentLocation } from "../files/location.js";
import { isNotFound, readLocation } from "../files/open-location.js";
import { relativeName } from "../files/relative-name.js";
import { parseJson } from "../json/parse-json.js";
import type { JsonValue } from "../source.js";
import { writeAtomically } from "./atomic.js";

export type ShardFormat = "arrow" | "parquet";

export interface ShardEntry {
  /** File name relative to the manifest's folder. */
  file: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  manifest_version: 1;
  format: ShardFormat;
  /** Fields of the stored schema, for people and other tools; readers use the canonical schema. */
  schema: { name: string; type: string; nullable: boolean }[];
  schema_metadata: Record<string, string>;
  shards: ShardEntry[];
  total_rows: number;
  total_bytes: number;
  /** `--shard i/n` of the job that wrote it, when the job was partitioned. */
  worker?: { index: number; count: number };
  /** The pipeline that produced the rows (`Source.describe()`). */
  pipeline?: string;
  /**
   * What the writing job did to the data, for people and for the jobs that read it, keyed by topic: e.g.
   * `images` = `{size: [h, w], resize, kernel, format, quality}` after `cotrain convert --image-size`. Core
   * stores it as given; manifests without it (written before it existed) read as before.
   */
  meta?: Record<string, JsonValue>;
  created_by: string;
}

export const MANIFEST_NAME = "manifest.json";

export function manifestName(worker?: { index: number; count: number }): string {
  return worker && worker.count > 1 ? `manifest-${worker.index}-of-${worker.count}.json` : MANIFEST_NAME;
}

export function describeSchema(schema: Schema): Manifest["schema"] {
  return schema.fields.map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable }));
}

export async function writeManifest(dir: string, manifest: Manifest): Promise<string> {
  const path = join(dir, manifestName(manifest.worker));
  await writeAtomically(path, (tmp) => writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`));
  return path;
}

/**
 * Reads one manifest file, or every `manifest*.json` of a folder (workers in index order) as one list. A remote
 * folder cannot be listed, so its `manifest.json` is read; a partitioned job's `manifest-<i>-of-<n>.json` files
 * are read one URL at a time.
 */
export async function readManifests(path: string): Promise<{ dir: string; manifest: Manifest; path: string }[]> {
  if (path.endsWith(".json")) return [{ dir: isRemote(path) ? parentLocation(path) : join(path, ".."), manifest: await readManifest(path), path }];
  if (isRemote(path)) {
    const file = joinLocation(path, MANIFEST_NAME);
    return [{ dir: path, manifest: await readManifest(file, "a remote shard folder needs a manifest.json (a folder of worker manifests is read one manifest URL at a time)"), path: file }];
  }
  let names: string[];
  try {
    names = await readdir(path);
  } catch (cause) {
    throw new MissingError("SHARDS_DIR_MISSING", `cannot list shard folder: ${(cause as Error).message}`, { file: path, cause });
  }
  const manifests = names.filter((n) => n === MANIFEST_NAME || /^manifest-\d+-of-\d+\.json$/.test(n));
  if (manifests.length === 0) throw new MissingError("SHARDS_NO_MANIFEST", "no manifest.json in the shard folder", { file: path });
  const workerOf = (n: string): number => Number(/^manifest-(\d+)/.exec(n)?.[1] ?? 0);
  manifests.sort((a, b) => workerOf(a) - workerOf(b));
  return Promise.all(manifests.map(async (n) => ({ dir: path, manifest: await readManifest(join(path, n)), path: join(path, n) })));
}

async function readManifest(file: string, whenMissing?: string): Promise<Manifest> {
  let bytes: Uint8Array;
  try {
    bytes = await readLocation(file);
  } catch (cause) {
    if (whenMissing !== undefined && isNotFound(cause)) throw new MissingError("SHARDS_NO_MANIFEST", whenMissing, { file, cause });
    throw new FormatError("MANIFEST_UNREADABLE", `cannot read manifest: ${(cause as Error).message}`, { file, cause });
  }
  const m = (parseJson(bytes, { file }, "MANIFEST_UNREADABLE") ?? {}) as Partial<Manifest>;
  if (m.manifest_version !== 1) throw new FormatError("MANIFEST_VERSION", `unsupported manifest_version ${JSON.stringify(m.manifest_version)}`, { file, field: "manifest_version" });
  if (m.format !== "arrow" && m.format !== "parquet") throw new FormatError("MANIFEST_FORMAT", `format must be "arrow" or "parquet", got ${JSON.stringify(m.format)}`, { file, field: "format" });
  if (!Array.isArray(m.shards)) throw new FormatError("MANIFEST_SHARDS", "shards must be a list", { file, field: "shards" });
  m.shards.forEach((s, i) => {
    const ok = typeof s?.file === "string" && !s.file.includes("/") && !s.file.includes("\\") && Number.isInteger(s.rows) && Number.isInteger(s.bytes) && typeof s.sha256 === "string";
    if (!ok) throw new FormatError("MANIFEST_SHARD_ENTRY", `shard entry ${i} is malformed: ${JSON.stringify(s)}`, { file, row: i, field: "shards" });
    // A shard is a file of the manifest's own folder: no name may lead out of it ("..", an absolute path).
    relativeName(s.file, { file, row: i, field: `shards[${i}].file` }, "MANIFEST_SHARD_NAME", { allowFolders: false });
  });
  if (m.meta !== undefined && !isJsonObject(m.meta)) throw new FormatError("MANIFEST_META", `meta must be an object, got ${JSON.stringify(m.meta)}`, { file, field: "meta" });
  return m as Manifest;
}

export function isJsonObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
