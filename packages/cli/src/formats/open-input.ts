import type { ShardSpec, Source } from "@cotrain/core";
import { parseConfig, resolveFrom } from "../config/load-config.js";
import { detectFormat, requirePath } from "./detect.js";
import { getFormat } from "./registry.js";
import type { DatasetFormat } from "./registry.js";

/** An input as a config file (or the command line) names it. */
export interface InputSpec {
  /** A registered format name; absent: detected from the path. */
  format?: string | undefined;
  path: string;
  /** The format's reader options (validated against its schema). */
  options?: Record<string, unknown> | undefined;
}

export interface ResolveInputOptions {
  /** Folder relative paths resolve against (the config file's; default the working directory). */
  baseDir?: string;
  /** The config key of this input, for error messages (`sources.bridge`). */
  field?: string;
  /** The config file, for error messages. */
  file?: string;
  /** The `source` column when the options do not set one (a config names each source; rows carry that name). */
  defaultSource?: string;
}

export interface ResolvedInput {
  format: DatasetFormat;
  path: string;
  options: Record<string, unknown>;
}

/** Finds the format (given or detected), checks the options against it, and resolves the paths in them. */
export async function resolveInput(spec: InputSpec, how: ResolveInputOptions = {}): Promise<ResolvedInput> {
  const base = how.baseDir ?? process.cwd();
  const at = (key: string): string | undefined => (how.field ? `${how.field}.${key}` : undefined);
  const given = resolveFrom(base, spec.path);
  let format: DatasetFormat;
  let path: string;
  if (spec.format !== undefined) {
    format = getFormat(spec.format, at("format") ?? "format");
    await requirePath(given, at("path"));
    path = (await format.detect(given).catch(() => null)) ?? given;
  } else {
    ({ format, path } = await detectFormat(given, at("path")));
  }
  const prefix = how.field ? [...how.field.split("."), "options"] : ["options"];
  const options = { ...(parseConfig(spec.options ?? {}, format.options, how.file, prefix) as Record<string, unknown>) };
  if (how.defaultSource !== undefined && format.sourceOption && options.source === undefined) options.source = how.defaultSource;
  for (const key of format.pathOptions) {
    if (typeof options[key] === "string") options[key] = resolveFrom(base, options[key] as string);
  }
  return { format, path, options };
}

/** Opens an input as a Source (for this worker's part with `shard`). */
export async function openInput(spec: InputSpec, how: ResolveInputOptions & { shard?: ShardSpec; batchSize?: number } = {}): Promise<{ source: Source } & ResolvedInput> {
  const input = await resolveInput(spec, how);
  const source = await input.format.open({ path: input.path, options: input.options, ...(how.shard ? { shard: how.shard } : {}), ...(how.batchSize ? { batchSize: how.batchSize } : {}) });
  return { source, ...input };
}
