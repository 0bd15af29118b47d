import { stat } from "node:fs/promises";
import { z } from "zod";
import { isRemote, locationName, locationSize, parentLocation } from "@cotrain/core";
import { openLlava } from "@cotrain/vqa";
import type { LlavaOptions } from "@cotrain/vqa";
import { VQA_OPTIONS } from "./common-options.js";
import type { DatasetFormat, DatasetSummary } from "./registry.js";
import { isManifestName } from "./shards-format.js";

const options = z.strictObject(VQA_OPTIONS);

async function detect(path: string): Promise<string | null> {
  const name = locationName(path);
  if (!name.toLowerCase().endsWith(".json") || isManifestName(name)) return null;
  return isRemote(path) || (await stat(path)).isFile() ? path : null;
}

async function summarize(path: string, given: Record<string, unknown>): Promise<DatasetSummary> {
  const size = await locationSize(path);
  return {
    kind: "vqa",
    counts: {},
    countsFrom: null,
    features: ["id: string", "image: path under the image root (string or list; absent for text-only entries)", "conversations: list of {from: human|gpt|system, value}"],
    details: { imageRoot: String(given.imageRoot ?? parentLocation(path)), bytes: String(size) },
  };
}

export const llavaFormat: DatasetFormat = {
  name: "llava",
  kind: "vqa",
  description: "LLaVA instruct JSON (an array of {id, image, conversations}); images under imageRoot (default: the file's folder)",
  options,
  pathOptions: ["imageRoot"],
  sourceOption: true,
  detect,
  open: async ({ path, options: o, shard, batchSize: size }) => openLlava(path, { ...(size ? { batchSize: size } : {}), ...(o as LlavaOptions), ...(shard ? { shard } : {}) }),
  summarize,
};
