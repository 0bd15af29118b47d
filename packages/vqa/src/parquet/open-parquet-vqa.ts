import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, MissingError, isRemote, locationName } from "@cotrain/core";
import { resolveReaderOptions } from "../options.js";
import type { VqaReaderOptions } from "../options.js";
import { makeVqaSource } from "../vqa-source.js";
import type { VqaSource } from "../vqa-source.js";
import { ParquetRowCursor } from "./parquet-cursor.js";
import type { ParquetVqaColumns } from "./parquet-layout.js";
import { parseParquetRow } from "./parquet-row.js";

export interface ParquetVqaOptions extends VqaReaderOptions {
  /** Column names; unset ones are found among the usual names (see `ParquetVqaColumns`). */
  columns?: ParquetVqaColumns;
  /** Folder for images stored by path only (an image struct whose `bytes` is null). */
  imageRoot?: string;
}

/**
 * Reads Hugging Face style Parquet VQA tables as canonical VQA rows: one file, or every `*.parquet` file directly
 * inside a folder, in sorted name order (the order `datasets` shards are numbered in). Each file's columns are
 * worked out from its schema and `options.columns`. A URL (http(s)://, s3://) names one `.parquet` file, read by
 * ranges (footer, then the column chunks of each row group) through core's remote cache: a remote folder cannot be
 * listed.
 */
export function openParquetVqa(path: string, options: ParquetVqaOptions = {}): VqaSource {
  if (isRemote(path) && !locationName(path).toLowerCase().endsWith(".parquet")) {
    throw new ConfigError("PARQUET_REMOTE_FOLDER", "a remote Parquet VQA input must name one .parquet file (a remote folder cannot be listed)", { file: path });
  }
  if (!isRemote(path) && !existsSync(path)) throw new MissingError("PARQUET_FILE_MISSING", "no such Parquet file or folder", { file: path });
  const isDir = !isRemote(path) && statSync(path).isDirectory();
  const files = isDir
    ? readdirSync(path)
        .filter((name) => name.endsWith(".parquet"))
        .sort()
        .map((name) => join(path, name))
    : [path];
  if (files.length === 0) throw new MissingError("PARQUET_NO_FILES", "the folder holds no .parquet files", { file: path });
  const resolved = resolveReaderOptions(options, locationName(path).replace(/\.parquet$/, ""));
  return makeVqaSource(new ParquetRowCursor(files, options.columns ?? {}, path), parseParquetRow, resolved, "openParquetVqa");
}
