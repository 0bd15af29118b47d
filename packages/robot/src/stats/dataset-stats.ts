import { readFile, writeFile } from "node:fs/promises";
import { FormatError, MissingError, writeAtomically } from "@cotrain/core";

/** Per-dimension statistics of one feature (action or state). */
export interface FeatureStats {
  /** Steps counted. */
  count: number;
  mean: number[];
  /** Population standard deviation (ddof 0, as numpy and OpenVLA compute it). */
  std: number[];
  min: number[];
  max: number[];
  /** 1st and 99th percentiles (numpy's linear definition, estimated; see `quantiles`). */
  q01: number[];
  q99: number[];
}

/** How q01/q99 were estimated, and the guaranteed error. */
export interface QuantileMethod {
  method: "log-bucket-sketch";
  /** Each quantile is within relativeAccuracy·|x| (or minMagnitude, whichever is larger) of numpy's exact value. */
  relativeAccuracy: number;
  minMagnitude: number;
}

export interface DatasetStats {
  format: "cotrain.stats/1";
  /** Canonical source names seen. */
  sources: string[];
  /** Steps (rows) with an action. */
  numTransitions: number;
  /** Episodes (rows with is_first, or episodes given). */
  numTrajectories: number;
  quantiles: QuantileMethod;
  action: FeatureStats;
  /** Null when no step had a state. */
  state: FeatureStats | null;
}

export async function saveStats(path: string, stats: DatasetStats): Promise<void> {
  await writeAtomically(path, (tmp) => writeFile(tmp, `${JSON.stringify(stats, null, 2)}\n`));
}

export async function loadStats(path: string): Promise<DatasetStats> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new MissingError("STATS_MISSING", "cannot read the statistics file", { file: path, cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new FormatError("STATS_JSON", `invalid JSON: ${(cause as Error).message}`, { file: path, cause });
  }
  return statsFromJson(json, path);
}

/** Validates parsed JSON as DatasetStats (errors name `file` and the bad field). */
export function statsFromJson(json: unknown, file?: string): DatasetStats {
  const fail = (field: string, message: string): never => {
    throw new FormatError("STATS_FIELD", message, { ...(file ? { file } : {}), field });
  };
  const o = json as Record<string, unknown>;
  if (typeof o !== "object" || o === null) fail("(root)", "statistics must be a JSON object");
  if (o.format !== "cotrain.stats/1") fail("format", `expected "cotrain.stats/1", got ${JSON.stringify(o.format)}`);
  const feature = (name: string, value: unknown): FeatureStats => {
    const f = value as Record<string, unknown>;
    if (typeof f !== "object" || f === null) fail(name, "must be an object");
    const dim = Array.isArray(f.mean) ? f.mean.length : fail(`${name}.mean`, "must be a list of numbers");
    const list = (key: string): number[] => {
      const v = f[key];
      if (!Array.isArray(v) || v.length !== dim || !v.every((x) => typeof x === "number" && Number.isFinite(x))) fail(`${name}.${key}`, `must be a list of ${dim} finite numbers`);
      return v as number[];
    };
    if (typeof f.count !== "number") fail(`${name}.count`, "must be a number");
    return { count: f.count as number, mean: list("mean"), std: list("std"), min: list("min"), max: list("max"), q01: list("q01"), q99: list("q99") };
  };
  const q = o.quantiles as Record<string, unknown> | undefined;
  return {
    format: "cotrain.stats/1",
    sources: Array.isArray(o.sources) ? o.sources.map(String) : [],
    numTransitions: Number(o.numTransitions ?? 0),
    numTrajectories: Number(o.numTrajectories ?? 0),
    quantiles: { method: "log-bucket-sketch", relativeAccuracy: Number(q?.relativeAccuracy ?? NaN), minMagnitude: Number(q?.minMagnitude ?? NaN) },
    action: feature("action", o.action),
    state: o.state === null || o.state === undefined ? null : feature("state", o.state),
  };
}
