import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ConfigError, isCotrainError, isRemote, joinLocation, locationExists, readLocationText } from "@cotrain/core";
import { openRlds, openRldsDataset, parseFeatures, readDatasetInfo } from "@cotrain/robot";
import type { OpenRldsOptions } from "@cotrain/robot";
import { batchSize, onError, seed, sourceName } from "./common-options.js";
import type { DatasetFormat, DatasetSummary } from "./registry.js";

const options = z.strictObject({
  preset: z.enum(["bridge", "droid"]).optional(),
  droid: z.strictObject({ action: z.enum(["action", "cartesian"]).optional(), state: z.enum(["cartesian", "joint"]).optional() }).optional(),
  mapping: z
    .strictObject({
      cameras: z.array(z.string()),
      action: z.array(z.string()).min(1),
      state: z.array(z.string()).optional(),
      instruction: z.array(z.string()).optional(),
      extras: z.array(z.string()).optional(),
      optional: z.array(z.string()).optional(),
    })
    .optional(),
  source: sourceName.optional(),
  split: z.string().min(1).optional(),
  batchSize: batchSize.optional(),
  chunk: z.number().int().nonnegative().optional(),
  shuffleEpisodes: z.boolean().optional(),
  seed: seed.optional(),
  onError: onError.optional(),
  validateImages: z.union([z.boolean(), z.enum(["header", "decode", "off"])]).optional(),
  instructionChoice: z.enum(["primary", "random"]).optional(),
});

const isVersionDir = async (dir: string): Promise<boolean> => (await locationExists(joinLocation(dir, "dataset_info.json"))) && (await locationExists(joinLocation(dir, "features.json")));

/**
 * A TFDS version folder, or a dataset folder holding exactly one version folder (`bridge_dataset/` →
 * `bridge_dataset/1.0.0/`). A URL must name the version folder itself: a remote folder cannot be listed.
 */
async function detect(path: string): Promise<string | null> {
  if (isRemote(path)) return (await isVersionDir(path)) ? path : null;
  if (!(await stat(path)).isDirectory()) return null;
  if (await isVersionDir(path)) return path;
  const children = (await readdir(path, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const versions: string[] = [];
  for (const name of children) if (await isVersionDir(join(path, name))) versions.push(name);
  if (versions.length > 1) {
    throw new ConfigError("RLDS_SEVERAL_VERSIONS", `holds several RLDS versions (${versions.join(", ")}); pass one of them, e.g. ${join(path, versions.at(-1) as string)}`, { file: path });
  }
  return versions.length === 1 ? join(path, versions[0] as string) : null;
}

async function summarize(path: string, given: Record<string, unknown>): Promise<DatasetSummary> {
  const opts = given as OpenRldsOptions;
  const info = await readDatasetInfo(path);
  const featuresFile = joinLocation(path, "features.json");
  const features = parseFeatures(JSON.parse(await readLocationText(featuresFile)), featuresFile);
  const splitName = opts.split ?? "train";
  const split = info.splits.find((s) => s.name === splitName);
  const details: Record<string, string> = { name: info.name, version: info.version, split: splitName, splits: info.splits.map((s) => s.name).join(", ") };
  try {
    const dataset = await openRldsDataset(path, opts);
    details.preset = dataset.preset ?? "custom mapping";
    details.cameras = dataset.mapping.cameras.join(", ");
    details.action = dataset.mapping.action.join(" + ");
    if (dataset.mapping.state?.length) details.state = dataset.mapping.state.join(" + ");
  } catch (error) {
    if (!isCotrainError(error)) throw error;
    details.preset = `none (${error.message}; set options.preset or options.mapping)`;
  }
  const counts: Record<string, number> = {};
  if (split) {
    counts.episodes = split.shardLengths.reduce((a, b) => a + b, 0);
    counts.shardFiles = split.shardLengths.length;
  }
  return {
    kind: "robot",
    counts,
    countsFrom: split ? "dataset_info.json" : null,
    features: features.map((f) => `${f.key}: ${f.kind} ${f.dtype}${f.shape.length ? ` [${f.shape.join(", ")}]` : ""}${f.encodingFormat ? ` ${f.encodingFormat}` : ""}`),
    details,
  };
}

export const rldsFormat: DatasetFormat = {
  name: "rlds",
  kind: "robot",
  description: "RLDS / TFDS version folder (dataset_info.json, features.json, TFRecord shards): Open X-Embodiment, Bridge, DROID",
  options,
  pathOptions: [],
  sourceOption: true,
  detect,
  open: async ({ path, options: o, shard, batchSize: size }) => openRlds(path, { ...(size ? { batchSize: size } : {}), ...(o as OpenRldsOptions), ...(shard ? { shard } : {}) }),
  summarize,
};
