import { ConfigError, FormatError, MissingError, UnsupportedError, isNotFound, joinLocation, locationName, parseJson, partitionInputs, readLocation, resolveLocation, validateShardSpec } from "@cotrain/core";
import type { ShardSpec } from "@cotrain/core";
import { readDatasetInfo, shardFiles } from "./dataset-info.js";
import type { DatasetInfo, ShardFile } from "./dataset-info.js";
import { parseFeatures } from "./features.js";
import type { FlatFeature } from "./features.js";
import { resolveMapping } from "./mapping.js";
import type { ResolvedMapping, RldsMapping } from "./mapping.js";
import { presetMapping } from "./presets.js";
import type { DroidPresetOptions, RldsPreset } from "./presets.js";

/** What to read from an RLDS dataset folder and how to map it. */
export interface RldsDatasetOptions {
  /** "bridge" or "droid". Without preset and mapping, the preset is detected from features.json. */
  preset?: RldsPreset;
  /** DROID's action and state choices (preset "droid"). */
  droid?: DroidPresetOptions;
  /** Your own mapping, for any other RLDS dataset (instead of a preset). */
  mapping?: RldsMapping;
  /** The canonical `source` column (default: the preset's name, else dataset_info.json's name). */
  source?: string;
  /** Split to read (default "train"). */
  split?: string;
  /** Read only the shard files worker `index` of `count` owns (core's partitionInputs over file names). */
  shard?: ShardSpec;
}

/** An opened RLDS dataset version folder: its metadata, its features, the mapping, and this worker's shard files. */
export interface RldsDataset {
  dir: string;
  info: DatasetInfo;
  features: FlatFeature[];
  mapping: RldsMapping;
  layout: ResolvedMapping;
  source: string;
  split: string;
  /** Every shard file of the split. */
  allFiles: ShardFile[];
  /** The shard files this worker reads (all of them without `shard`). */
  files: ShardFile[];
  preset: RldsPreset | null;
}

export async function openRldsDataset(dir: string, options: RldsDatasetOptions = {}): Promise<RldsDataset> {
  // A folder path or the URL of one: every file in it is named by dataset_info.json, so none is listed.
  const root = resolveLocation(dir);
  const info = await readDatasetInfo(root);
  if (info.fileFormat !== "tfrecord") {
    throw new UnsupportedError("RLDS_FILE_FORMAT", `fileFormat ${JSON.stringify(info.fileFormat)} is not supported (only tfrecord)`, { file: joinLocation(root, "dataset_info.json"), field: "fileFormat" });
  }
  const featuresFile = joinLocation(root, "features.json");
  let featuresBytes: Uint8Array;
  try {
    featuresBytes = await readLocation(featuresFile);
  } catch (cause) {
    const missing = isNotFound(cause);
    if (missing) throw new MissingError("RLDS_FEATURES_MISSING", "no features.json beside dataset_info.json", { file: featuresFile, cause });
    throw new FormatError("RLDS_FEATURES", `cannot read: ${(cause as Error).message}`, { file: featuresFile, cause });
  }
  const features = parseFeatures(parseJson(featuresBytes, { file: featuresFile }, "RLDS_FEATURES"), featuresFile);
  if (options.preset !== undefined && options.mapping !== undefined) {
    throw new ConfigError("RLDS_OPTION", "pass either preset or mapping, not both (start from presetMapping(preset) to adapt a preset)", { field: "mapping" });
  }
  const preset = options.mapping ? null : (options.preset ?? detectPreset(features, featuresFile));
  const mapping = options.mapping ?? presetMapping(preset as RldsPreset, options.droid);
  const layout = resolveMapping(mapping, features, featuresFile);
  const split = options.split ?? "train";
  const allFiles = shardFiles(root, info, split);
  const files = options.shard ? partitionInputs(allFiles, validateShardSpec(options.shard), (f) => f.name) : allFiles;
  return { dir: root, info, features, mapping, layout, source: options.source ?? preset ?? info.name ?? locationName(root), split, allFiles, files, preset };
}

/** Bridge and DROID are told apart by their camera keys. */
function detectPreset(features: readonly FlatFeature[], file: string): RldsPreset {
  const keys = new Set(features.map((f) => f.key));
  if (keys.has("steps/observation/exterior_image_1_left")) return "droid";
  if (keys.has("steps/observation/image_0") && keys.has("steps/observation/state")) return "bridge";
  throw new ConfigError("RLDS_OPTION", "this dataset is neither Bridge nor DROID: pass a mapping ({cameras, action, state, instruction})", { file });
}
