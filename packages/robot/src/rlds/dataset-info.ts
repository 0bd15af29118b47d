import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FormatError, MissingError } from "@cotrain/core";

export const DEFAULT_FILEPATH_TEMPLATE = "{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}";

/** One split of a TFDS dataset_info.json. Counts are JSON strings on disk, numbers here. */
export interface SplitInfo {
  name: string;
  /** Episodes (records) per shard file, in shard order. */
  shardLengths: number[];
  numBytes: number;
  filepathTemplate: string;
}

/** The parts of dataset_info.json this package reads and writes; every other field is kept in `extra`. */
export interface DatasetInfo {
  name: string;
  version: string;
  fileFormat: string;
  description?: string;
  splits: SplitInfo[];
  extra: Record<string, unknown>;
}

/** One shard file of a split. */
export interface ShardFile {
  path: string;
  /** Basename, e.g. bridge-train.tfrecord-00003-of-00016. */
  name: string;
  /** Position of the shard in the split (0-based). */
  shard: number;
  /** Episodes in the shard according to dataset_info.json. */
  length: number;
  /** Global index of the shard's first episode in the split. */
  firstEpisode: number;
}

const count = (v: unknown): number => (typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN);

export async function readDatasetInfo(dir: string): Promise<DatasetInfo> {
  const file = join(dir, "dataset_info.json");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new MissingError("RLDS_INFO_MISSING", "no dataset_info.json: is this a TFDS dataset version folder (e.g. bridge_dataset/1.0.0)?", { file, cause });
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    throw new FormatError("RLDS_INFO_JSON", `invalid JSON: ${(cause as Error).message}`, { file, cause });
  }
  const fail = (field: string, message: string): never => {
    throw new FormatError("RLDS_INFO_FIELD", message, { file, field });
  };
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail("(root)", "dataset_info.json must hold an object");
  const { name, version, fileFormat, description, splits, ...extra } = json;
  if (typeof name !== "string" || name === "") fail("name", `name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (!Array.isArray(splits)) fail("splits", "splits must be a list");
  const parsed = (splits as unknown[]).map((s, i): SplitInfo => {
    const split = s as Record<string, unknown>;
    if (typeof split?.name !== "string") fail(`splits[${i}].name`, "split name must be a string");
    const lengths = split.shardLengths;
    if (!Array.isArray(lengths)) fail(`splits[${i}].shardLengths`, "shardLengths must be a list of episode counts (one per shard file)");
    const shardLengths = (lengths as unknown[]).map((n, k) => {
      const v = count(n);
      return Number.isInteger(v) ? v : fail(`splits[${i}].shardLengths[${k}]`, `not a count: ${JSON.stringify(n)}`);
    });
    const template = split.filepathTemplate ?? DEFAULT_FILEPATH_TEMPLATE;
    if (typeof template !== "string") fail(`splits[${i}].filepathTemplate`, "filepathTemplate must be a string");
    return { name: split.name as string, shardLengths, numBytes: count(split.numBytes ?? "0") || 0, filepathTemplate: template as string };
  });
  return {
    name: name as string,
    version: typeof version === "string" ? version : "",
    fileFormat: typeof fileFormat === "string" ? fileFormat : "tfrecord",
    ...(typeof description === "string" ? { description } : {}),
    splits: parsed,
    extra,
  };
}

/** dataset_info.json as TFDS writes it (counts as strings). */
export function datasetInfoToJson(info: DatasetInfo): Record<string, unknown> {
  return {
    ...info.extra,
    name: info.name,
    version: info.version,
    ...(info.description !== undefined ? { description: info.description } : {}),
    fileFormat: info.fileFormat,
    splits: info.splits.map((s) => ({
      name: s.name,
      numBytes: String(s.numBytes),
      shardLengths: s.shardLengths.map(String),
      filepathTemplate: s.filepathTemplate,
    })),
  };
}

/** The file name of shard `index` of `total` under a TFDS filepath template. */
export function shardFileName(template: string, dataset: string, split: string, fileFormat: string, index: number, total: number): string {
  const pad = (n: number): string => String(n).padStart(5, "0");
  return template
    .replaceAll("{DATASET}", dataset)
    .replaceAll("{SPLIT}", split)
    .replaceAll("{FILEFORMAT}", fileFormat)
    .replaceAll("{SHARD_X_OF_Y}", `${pad(index)}-of-${pad(total)}`)
    .replaceAll("{SHARD_INDEX}", pad(index))
    .replaceAll("{NUM_SHARDS}", pad(total));
}

/** The shard files of `split`, in shard order, with their episode counts and global episode offsets. */
export function shardFiles(dir: string, info: DatasetInfo, split: string): ShardFile[] {
  const s = info.splits.find((x) => x.name === split);
  if (!s) {
    throw new MissingError("RLDS_SPLIT_MISSING", `no split ${JSON.stringify(split)} (the dataset has ${info.splits.map((x) => x.name).join(", ") || "none"})`, { file: join(dir, "dataset_info.json"), field: "splits" });
  }
  let first = 0;
  return s.shardLengths.map((length, shard) => {
    const name = shardFileName(s.filepathTemplate, info.name, split, info.fileFormat, shard, s.shardLengths.length);
    const file: ShardFile = { path: join(dir, name), name, shard, length, firstEpisode: first };
    first += length;
    return file;
  });
}
