import { stat } from "node:fs/promises";
import { ConfigError, MissingError, isRemote } from "@cotrain/core";
import "./builtins.js";
import { listFormats } from "./registry.js";
import type { DatasetFormat } from "./registry.js";

/**
 * Fails with MissingError (naming the path and the config key it came from) when nothing is there. A URL is not
 * checked here: a remote folder cannot be asked for, so its files are found (or found missing) by the formats.
 */
export async function requirePath(path: string, field?: string): Promise<void> {
  if (isRemote(path)) return;
  await stat(path).catch((cause: unknown) => {
    throw new MissingError("INPUT_MISSING", "no such file or folder", { file: path, ...(field ? { field } : {}), cause });
  });
}

/**
 * Works out a path's format from its layout: a folder with dataset_info.json + features.json (or one version
 * folder holding them) is RLDS, a folder with meta/info.json LeRobot, a folder with manifest*.json shards, a
 * .json file LLaVA, a .parquet file or a folder of them Parquet VQA. Returns the format and the path to open.
 * A URL is told by the same files, each asked for by name (a HEAD), and by its extension.
 */
export async function detectFormat(path: string, field?: string): Promise<{ format: DatasetFormat; path: string }> {
  await requirePath(path, field);
  for (const format of listFormats()) {
    const found = await format.detect(path);
    if (found !== null) return { format, path: found };
  }
  const names = listFormats().map((f) => f.name).join(", ");
  throw new ConfigError("FORMAT_UNKNOWN", `cannot tell the format of this path; pass it explicitly (--format or "format": one of ${names})`, { file: path, ...(field ? { field } : {}) });
}
