import { ConfigError } from "@cotrain/core";

/**
 * How a user writes mixture weights: ratios or fractions by source name (`{bridge: 1, llava: 3}`,
 * `{bridge: 0.7, llava: 0.3}`), a ratio string in the key order of `sources` (`"1:3"`), or an array in that order.
 */
export type WeightsSpec = Readonly<Record<string, number>> | string | readonly number[];

/**
 * Validates weights against the source names and normalizes them to sum to 1 (in the order of `names`).
 * `option` names the option in messages (`weights`, `schedule[2].weights`).
 */
export function normalizeWeights(spec: WeightsSpec, names: readonly string[], option = "weights"): number[] {
  const raw = rawWeights(spec, names, option);
  raw.forEach((w, i) => {
    if (typeof w !== "number" || !Number.isFinite(w) || w < 0) {
      throw new ConfigError("MIX_WEIGHTS", `${option}.${names[i]} must be a finite number >= 0, got ${String(w)}`, { field: option });
    }
  });
  const total = raw.reduce((a, b) => a + b, 0);
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new ConfigError("MIX_WEIGHTS", `${option} must not be all zero (and must have a finite sum), got ${JSON.stringify(spec)}`, { field: option });
  }
  return raw.map((w) => w / total);
}

function rawWeights(spec: WeightsSpec, names: readonly string[], option: string): number[] {
  if (typeof spec === "string") {
    const parts = spec.split(":").map((p) => p.trim());
    if (parts.length !== names.length || parts.some((p) => !/^\d+(\.\d+)?([eE][+-]?\d+)?$/.test(p))) {
      throw new ConfigError(
        "MIX_WEIGHTS",
        `${option} as a string must be ${names.length} non-negative numbers joined by ":" (one per source, in the order ${names.join(", ")}), got ${JSON.stringify(spec)}`,
        { field: option },
      );
    }
    return parts.map(Number);
  }
  if (Array.isArray(spec)) {
    if (spec.length !== names.length) {
      throw new ConfigError("MIX_WEIGHTS", `${option} as an array must have one weight per source (${names.length}: ${names.join(", ")}), got ${JSON.stringify(spec)}`, { field: option });
    }
    return [...(spec as readonly number[])];
  }
  if (typeof spec !== "object" || spec === null) {
    throw new ConfigError("MIX_WEIGHTS", `${option} must be an object of weights by source name, a "1:3" string or an array, got ${JSON.stringify(spec)}`, { field: option });
  }
  const record = spec as Readonly<Record<string, number>>;
  const unknown = Object.keys(record).filter((k) => !names.includes(k));
  if (unknown.length > 0) {
    throw new ConfigError("MIX_UNKNOWN_SOURCE", `${option} names unknown source(s) ${unknown.map((u) => JSON.stringify(u)).join(", ")}; the sources are ${names.join(", ")}`, { field: option });
  }
  const missing = names.filter((n) => !(n in record));
  if (missing.length > 0) {
    throw new ConfigError("MIX_WEIGHTS", `${option} has no weight for source(s) ${missing.join(", ")} (give 0 to leave a source out), got ${JSON.stringify(spec)}`, { field: option });
  }
  return names.map((n) => record[n] as number);
}

/** Normalized weights as a record by name (what the mixer reports back). */
export function weightsRecord(weights: readonly number[], names: readonly string[]): Record<string, number> {
  return Object.fromEntries(names.map((n, i) => [n, weights[i] as number]));
}
