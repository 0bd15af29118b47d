import { FormatError } from "@cotrain/core";

/**
 * Expands a LeRobot path template, which uses Python's str.format syntax:
 * `data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet`. Supported: `{name}` and `{name:0Nd}` /
 * `{name:Nd}` (zero- or space-padded integers), the only forms LeRobot writes.
 */
export function expandPathTemplate(template: string, values: Record<string, string | number>, file?: string): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(?::(0?)(\d*)d)?\}/g, (whole, name: string, zero: string, width: string) => {
    const value = values[name];
    if (value === undefined) {
      throw new FormatError("LEROBOT_PATH_TEMPLATE", `path template ${JSON.stringify(template)} uses {${name}}, which LeRobot does not define here`, { file, field: name });
    }
    if (!whole.includes(":")) return String(value);
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw new FormatError("LEROBOT_PATH_TEMPLATE", `{${name}} needs an integer, got ${JSON.stringify(value)}`, { file, field: name });
    }
    return String(value).padStart(Number(width || 0), zero === "0" ? "0" : " ");
  });
}
