import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { isRemote, locationName, locationSize } from "@cotrain/core";
import { openParquetVqa } from "@cotrain/vqa";
import type { ParquetVqaOptions } from "@cotrain/vqa";
import { VQA_OPTIONS } from "./common-options.js";
import type { DatasetFormat, DatasetSummary } from "./registry.js";

const column = z.string().min(1).optional();
const options = z.strictObject({
  ...VQA_OPTIONS,
  columns: z.strictObject({ id: column, image: column, messages: column, question: column, answer: column }).optional(),
});

/** The file itself, or the folder's `*.parquet` files; a URL must name one file (a remote folder cannot be listed). */
async function parquetFiles(path: string): Promise<string[]> {
  if (isRemote(path)) return locationName(path).toLowerCase().endsWith(".parquet") ? [path] : [];
  const info = await stat(path);
  if (info.isFile()) return path.toLowerCase().endsWith(".parquet") ? [path] : [];
  return (await readdir(path)).filter((n) => n.endsWith(".parquet")).sort().map((n) => join(path, n));
}

async function detect(path: string): Promise<string | null> {
  return (await parquetFiles(path)).length > 0 ? path : null;
}

async function summarize(path: string): Promise<DatasetSummary> {
  const files = await parquetFiles(path);
  let bytes = 0;
  for (const f of files) bytes += await locationSize(f);
  return {
    kind: "vqa",
    counts: { files: files.length },
    countsFrom: "folder listing",
    features: ["id, image ({bytes, path} struct or binary), messages/conversations or question/answer (found by name, or options.columns)"],
    details: { bytes: String(bytes) },
  };
}

export const parquetVqaFormat: DatasetFormat = {
  name: "parquet-vqa",
  kind: "vqa",
  description: "Hugging Face style Parquet VQA table: one .parquet file or a folder of them",
  options,
  pathOptions: ["imageRoot"],
  sourceOption: true,
  detect,
  open: async ({ path, options: o, shard, batchSize: size }) => openParquetVqa(path, { ...(size ? { batchSize: size } : {}), ...(o as ParquetVqaOptions), ...(shard ? { shard } : {}) }),
  summarize: (path) => summarize(path),
};
