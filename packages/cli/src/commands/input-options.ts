import { InvalidArgumentError } from "commander";
import type { Command } from "commander";
import { ConfigError } from "@cotrain/core";
import "../formats/builtins.js";
import { formatNames } from "../formats/registry.js";
import type { InputSpec } from "../formats/open-input.js";

export interface InputFlags {
  format?: string;
  imageRoot?: string;
  options?: string;
}

/**
 * --format, --image-root and --options: how a command that reads one dataset is told what it is. `formatFlag`
 * renames the format flag where --format means something else (convert's output format).
 */
export function withInputOptions(command: Command, formatFlag = "-f, --format <name>"): Command {
  return command
    .option(formatFlag, `input format, detected from the path when left out (${formatNames().join(", ")})`)
    .option("--image-root <dir>", "folder that LLaVA / Parquet image paths are relative to (default: the JSON file's folder)")
    .option("--options <json>", 'reader options as JSON, as in a config file\'s "options" (e.g. \'{"preset": "bridge"}\')');
}

export function inputSpec(path: string, flags: InputFlags): InputSpec {
  let options: Record<string, unknown> = {};
  if (flags.options !== undefined) {
    try {
      options = JSON.parse(flags.options) as Record<string, unknown>;
    } catch (cause) {
      throw new ConfigError("OPTIONS_JSON", `--options is not valid JSON: ${(cause as Error).message}`, { field: "--options", cause });
    }
    if (typeof options !== "object" || options === null || Array.isArray(options)) throw new ConfigError("OPTIONS_JSON", "--options must be a JSON object", { field: "--options" });
  }
  if (flags.imageRoot !== undefined) options = { ...options, imageRoot: flags.imageRoot };
  return { path, ...(flags.format !== undefined ? { format: flags.format } : {}), options };
}

/** A commander parser for integer flags (`--samples 3`), with `min` checked. */
export function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got ${JSON.stringify(value)}`);
    return n;
  };
}
