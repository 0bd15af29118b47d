import type { z } from "zod";
import { ConfigError } from "@cotrain/core";
import type { ShardSpec, Source } from "@cotrain/core";

/** What a format knows about a dataset without streaming it (metadata files, footers, manifests). */
export interface DatasetSummary {
  /** "robot" or "vqa" where the format says; "mixed" for shards that may hold both. */
  kind: "robot" | "vqa" | "mixed";
  /** Counts read from metadata (episodes, steps, rows), with the file they came from. */
  counts: Record<string, number>;
  countsFrom: string | null;
  /** One line per feature or column: name, type, shape. */
  features: string[];
  /** Other facts worth printing (preset, split, codebase version, fps). */
  details: Record<string, string>;
}

/** One openable input: a path (already resolved) and the format's options (already validated). */
export interface FormatInput {
  path: string;
  options: Record<string, unknown>;
  /** Read only worker `index` of `count`'s part (every built-in reader supports this). */
  shard?: ShardSpec;
  /** Rows per batch unless the options say otherwise. */
  batchSize?: number;
}

/**
 * A dataset format the CLI can read, registered by name so config files can say `"format": "rlds"` (the
 * mosaicml/streaming way of naming reader kinds).
 */
export interface DatasetFormat {
  name: string;
  kind: DatasetSummary["kind"];
  /** One line for `--help` and error messages. */
  description: string;
  /** The format's `options` in config files (strict: an unknown key is an error naming it). */
  options: z.ZodType<Record<string, unknown>>;
  /** Option keys that hold paths, resolved against the config file's folder. */
  pathOptions: readonly string[];
  /** Whether the reader takes a `source` option (the canonical `source` column); shards keep the rows' own. */
  sourceOption: boolean;
  /** The path to open when `path` looks like this format (e.g. the version folder inside an RLDS dataset folder), else null. */
  detect(path: string): Promise<string | null>;
  open(input: FormatInput): Promise<Source>;
  summarize(path: string, options: Record<string, unknown>): Promise<DatasetSummary>;
}

const formats = new Map<string, DatasetFormat>();

/** Adds a format (or replaces one of the same name). Detection tries formats in registration order. */
export function registerFormat(format: DatasetFormat): void {
  formats.set(format.name, format);
}

export function formatNames(): string[] {
  return [...formats.keys()];
}

export function listFormats(): DatasetFormat[] {
  return [...formats.values()];
}

export function getFormat(name: string, field = "format"): DatasetFormat {
  const format = formats.get(name);
  if (!format) throw new ConfigError("UNKNOWN_FORMAT", `unknown format ${JSON.stringify(name)}; known formats: ${formatNames().join(", ")}`, { field });
  return format;
}
