import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import YAML from "yaml";
import { z } from "zod";
import { ConfigError, isRemote } from "@cotrain/core";
import { describeIssue } from "./issues.js";

/**
 * Reads a JSON or YAML config and validates it with a zod schema. Errors point at the offending key with its
 * path (`field "mixture.weights.bridge": expected number, received string`; an unknown key at its own path) and the file,
 * as a ConfigError.
 */
export async function loadConfig<T extends z.ZodType>(path: string, schema: T): Promise<{ config: z.infer<T>; dir: string }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ConfigError("CONFIG_MISSING", `cannot read config: ${(cause as Error).message}`, { file: path, cause });
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(path) ? YAML.parse(text) : JSON.parse(text);
  } catch (cause) {
    throw new ConfigError("CONFIG_SYNTAX", `not valid ${/\.ya?ml$/i.test(path) ? "YAML" : "JSON"}: ${(cause as Error).message}`, { file: path, cause });
  }
  return { config: parseConfig(raw, schema, path), dir: dirname(resolve(path)) };
}

export function parseConfig<T extends z.ZodType>(raw: unknown, schema: T, file?: string, prefix: readonly PropertyKey[] = []): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const { key, message } = describeIssue(result.error.issues[0]!, prefix);
  const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problem${result.error.issues.length > 2 ? "s" : ""})` : "";
  // The key leads the message through the error's location (`field "mixture.weights": …`).
  throw new ConfigError("CONFIG_INVALID", `${message}${more}`, { ...(file ? { file } : {}), field: key });
}

/** Resolves a path from a config relative to the config file's folder; a URL (http(s)://, s3://) stays as it is. */
export function resolveFrom(dir: string, path: string): string {
  return isRemote(path) || isAbsolute(path) ? path : resolve(dir, path);
}
