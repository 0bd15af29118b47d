import { FormatError, MissingError, isCotrainError, isNotFound, joinLocation, parseJson, readLocation, relativeName } from "@cotrain/core";

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
  const file = joinLocation(dir, "dataset_info.json");
  let bytes: Uint8Array;
  try {
    bytes = await readLocation(file);
  } catch (cause) {
    // A remote read that failed for another reason than a 404 (its retries spent) keeps its own error.
    if (isCotrainError(cause) && !isNotFound(cause)) throw cause;
    throw new MissingError("RLDS_INFO_MISSING", "no dataset_info.json: is this a TFDS dataset version folder (e.g. bridge_dataset/1.0.0)?", { file, cause });
  }
  const json = parseJson(bytes, { file }, "RLDS_INFO_JSON") as Record<string, unknown>;
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
  const at = info.splits.findIndex((x) => x.name === split);
  const s = info.splits[at];
  if (!s) {
    throw new MissingError("RLDS_SPLIT_MISSING", `no split ${JSON.stringify(split)} (the dataset has ${info.splits.map((x) => x.name).join(", ") || "none"})`, { file: joinLocation(dir, "dataset_info.json"), field: "splits" });
  }
  let first = 0;
  return s.shardLengths.map((length, shard) => {
    // The template comes from the data: the name it gives must stay inside the dataset folder.
    const where = { file: joinLocation(dir, "dataset_info.json"), field: `splits[${at}].filepathTemplate` };
    const name = relativeName(shardFileName(s.filepathTemplate, info.name, split, info.fileFormat, shard, s.shardLengths.length), where, "RLDS_INFO_FIELD");
    const file: ShardFile = { path: joinLocation(dir, name), name, shard, length, firstEpisode: first };
    first += length;
    return file;
  });
}
