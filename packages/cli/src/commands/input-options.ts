import { InvalidArgumentError } from "commander";
import type { Command } from "commander";
import { BUILTIN_FORMAT_NAMES } from "../formats/names.js";

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
    .option(formatFlag, `input format, detected from the path when left out (${BUILTIN_FORMAT_NAMES.join(", ")})`)
    .option("--image-root <dir>", "folder that LLaVA / Parquet image paths are relative to (default: the JSON file's folder)")
    .option("--options <json>", 'reader options as JSON, as in a config file\'s "options" (e.g. \'{"preset": "bridge"}\')');
}

/** A commander parser for integer flags (`--samples 3`), with `min` checked. */
export function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got ${JSON.stringify(value)}`);
    return n;
  };
}
