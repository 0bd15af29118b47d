import { readdir, stat } from "node:fs/promises";
import { basename } from "node:path";
import { z } from "zod";
import { MANIFEST_NAME, isRemote, joinLocation, locationExists, locationName, openShards, readManifests } from "@cotrain/core";
import { batchSize } from "./common-options.js";
import type { DatasetFormat, DatasetSummary } from "./registry.js";

const options = z.strictObject({
  verify: z.boolean().optional(),
  batchSize: batchSize.optional(),
});

/** `manifest.json`, or `manifest-<i>-of-<n>.json` as written by a `--shard i/n` job. */
export function isManifestName(name: string): boolean {
  return name === MANIFEST_NAME || /^manifest-\d+-of-\d+\.json$/.test(name);
}

async function detect(path: string): Promise<string | null> {
  // A remote folder cannot be listed: it is shards when it has a manifest.json (or the URL names a manifest).
  if (isRemote(path)) return isManifestName(locationName(path)) || (await locationExists(joinLocation(path, MANIFEST_NAME))) ? path : null;
  if ((await stat(path)).isFile()) return isManifestName(basename(path)) ? path : null;
  return (await readdir(path)).some(isManifestName) ? path : null;
}

async function summarize(path: string): Promise<DatasetSummary> {
  const manifests = await readManifests(path);
  const first = manifests[0]?.manifest;
  const rows = manifests.reduce((n, m) => n + m.manifest.total_rows, 0);
  const shards = manifests.reduce((n, m) => n + m.manifest.shards.length, 0);
  const bytes = manifests.reduce((n, m) => n + m.manifest.total_bytes, 0);
  return {
    kind: "mixed",
    counts: { rows, shardFiles: shards, manifests: manifests.length },
    countsFrom: manifests.map((m) => locationName(m.path)).join(", "),
    features: (first?.schema ?? []).map((f) => `${f.name}: ${f.type}${f.nullable ? " (nullable)" : ""}`),
    details: {
      shardFormat: [...new Set(manifests.map((m) => m.manifest.format))].join(", "),
      bytes: String(bytes),
      ...(first?.pipeline ? { pipeline: manifests.map((m) => m.manifest.pipeline).join(" | ") } : {}),
      // What the writing job did to the data (e.g. `images` after `convert --image-size`), one detail per topic.
      ...Object.fromEntries(Object.entries(first?.meta ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
    },
  };
}

export const shardsFormat: DatasetFormat = {
  name: "shards",
  kind: "mixed",
  description: "canonical Arrow IPC / Parquet shards with a manifest (what `cotrain convert` writes)",
  options,
  pathOptions: [],
  sourceOption: false,
  detect,
  open: async ({ path, options: o, shard, batchSize: size }) => openShards(path, { ...(size ? { batchSize: size } : {}), ...(o as { verify?: boolean; batchSize?: number }), ...(shard ? { shard } : {}) }),
  summarize: (path) => summarize(path),
};
