import { ConfigError } from "@cotrain/core";
import type { InputSpec } from "../formats/open-input.js";
import type { InputFlags } from "./input-options.js";

/** The InputSpec of a command line: the path, --format, and --options with --image-root merged in. */
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
