import type { Schema } from "apache-arrow";
import { CANONICAL_SCHEMA, ConfigError, isSource } from "@cotrain/core";
import type { SeedLike, Source } from "@cotrain/core";
import { Schedule } from "./schedule.js";
import type { ResolvedPoint, SchedulePoint } from "./schedule.js";
import { weightsRecord } from "./weights.js";
import type { WeightsSpec } from "./weights.js";

export type MixMode = "exact" | "sampled";
/** Row order inside a batch: each source's rows together in source order, or a seeded permutation. */
export type MixOrder = "grouped" | "shuffled";
/**
 * When the mixed stream ends: when a source cannot fill its share (`first_exhausted`, nothing repeats); at the
 * first batch boundary after every source drawn from has been through all of its rows at least once, smaller
 * sources restarting with a new epoch (`all_exhausted`); or after a fixed number of rows or batches per epoch of
 * the mixture and per rank (sources restart as needed; the last batch of `{samples}` may be shorter).
 */
export type StopPolicy = "first_exhausted" | "all_exhausted" | { samples: number } | { steps: number };

export interface MixOptions {
  /** The sources by name; their key order is the order of "1:3" weights, of grouped rows and of reports. */
  sources: Readonly<Record<string, Source>>;
  /** Ratios or fractions by name, a "1:3" string or an array (exclusive with `schedule`). */
  weights?: WeightsSpec;
  /** Weights as a function of the step (exclusive with `weights`). */
  schedule?: readonly SchedulePoint[];
  /** Rows per mixed batch (per rank). */
  batchSize: number;
  /** "exact" (default): every batch holds each source's quota. "sampled": each row drawn independently. */
  mode?: MixMode;
  seed?: SeedLike;
  /** Default "grouped". */
  order?: MixOrder;
  /** Default "first_exhausted". */
  stop?: StopPolicy;
  /** Data-parallel rank (default 0) among `worldSize` (default 1) mixers that yield disjoint streams. */
  rank?: number;
  worldSize?: number;
  /** Batches each source reads ahead in the background (default 2; 0 reads only on demand). */
  prefetch?: number;
  /** The schema of the mixed batches; sources lacking nullable columns get nulls (default CANONICAL_SCHEMA). */
  schema?: Schema;
}

/** The effective configuration, as plain data: what the mixer actually uses. */
export interface MixConfig {
  sources: string[];
  mode: MixMode;
  batchSize: number;
  seed: SeedLike;
  order: MixOrder;
  stop: StopPolicy;
  rank: number;
  worldSize: number;
  prefetch: number;
  /** The normalized weights at step 0. */
  weights: Record<string, number>;
  /** The normalized schedule (a single point when plain `weights` were given). */
  schedule: ResolvedPoint[];
}

export interface Resolved {
  config: MixConfig;
  names: string[];
  sources: Source[];
  schedule: Schedule;
  schema: Schema;
  repeat: boolean;
}

const KNOWN = ["sources", "weights", "schedule", "batchSize", "mode", "seed", "order", "stop", "rank", "worldSize", "prefetch", "schema"];

function fail(option: string, rule: string, value: unknown, code = "MIX_CONFIG"): never {
  throw new ConfigError(code, `mix option ${option} must be ${rule}, got ${describeValue(value)}`, { field: option });
}

function describeValue(value: unknown): string {
  if (typeof value === "number" || value === undefined) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const isCount = (v: unknown, min: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= min;

/** Validates every option together, derives the defaults once, and returns what the mixer runs on. */
export function resolveOptions(options: MixOptions): Resolved {
  if (typeof options !== "object" || options === null) fail("options", "an object", options);
  const unknown = Object.keys(options).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) fail(unknown[0] as string, `one of the known options (${KNOWN.join(", ")})`, unknown[0], "MIX_UNKNOWN_OPTION");

  const given = options.sources as Record<string, unknown>;
  if (typeof given !== "object" || given === null || Object.keys(given).length === 0) fail("sources", "a non-empty object of Sources by name", given);
  const names = Object.keys(given);
  if (names.length > 65535) fail("sources", "at most 65535 sources", names.length);
  for (const name of names) if (!isSource(given[name])) fail(`sources.${name}`, "a Source (next/state/restore/reset/describe)", typeof given[name]);

  const mode = options.mode ?? "exact";
  if (mode !== "exact" && mode !== "sampled") fail("mode", `"exact" or "sampled"`, mode);
  const order = options.order ?? "grouped";
  if (order !== "grouped" && order !== "shuffled") fail("order", `"grouped" or "shuffled"`, order);
  const seed = options.seed ?? 0;
  if (!((typeof seed === "number" && Number.isFinite(seed)) || typeof seed === "string")) fail("seed", "a finite number or a string", seed);
  if (!isCount(options.batchSize, 1)) fail("batchSize", "a positive integer", options.batchSize);
  const batchSize = options.batchSize;
  const worldSize = options.worldSize ?? 1;
  if (!isCount(worldSize, 1)) fail("worldSize", "a positive integer", worldSize);
  const rank = options.rank ?? 0;
  if (!isCount(rank, 0) || rank >= worldSize) fail("rank", `an integer in [0, ${worldSize - 1}] (worldSize is ${worldSize})`, rank);
  const prefetch = options.prefetch ?? 2;
  if (!isCount(prefetch, 0)) fail("prefetch", "a non-negative integer", prefetch);
  const stop = resolveStop(options.stop ?? "first_exhausted");

  if ((options.weights === undefined) === (options.schedule === undefined)) {
    fail("weights", "given, or else schedule (exactly one of the two)", { weights: options.weights, schedule: options.schedule });
  }
  const schedule = options.schedule !== undefined ? new Schedule(options.schedule, names) : new Schedule([{ step: 0, weights: options.weights as WeightsSpec }], names, "weights");
  if (mode === "exact" && schedule.maxNonzero() > batchSize) {
    fail("batchSize", `at least the number of sources with a nonzero weight (${schedule.maxNonzero()}) in exact mode, so every batch can hold each of them`, batchSize, "MIX_BATCH_SIZE");
  }
  const config: MixConfig = {
    sources: names,
    mode,
    batchSize,
    seed,
    order,
    stop,
    rank,
    worldSize,
    prefetch,
    weights: weightsRecord(schedule.weightsAt(0), names),
    schedule: schedule.resolved(),
  };
  const repeat = stop !== "first_exhausted";
  return { config, names, sources: names.map((n) => given[n] as Source), schedule, schema: options.schema ?? CANONICAL_SCHEMA, repeat };
}

function resolveStop(stop: unknown): StopPolicy {
  if (stop === "first_exhausted" || stop === "all_exhausted") return stop;
  if (typeof stop === "object" && stop !== null && !Array.isArray(stop)) {
    const keys = Object.keys(stop);
    const s = stop as Record<string, unknown>;
    if (keys.length === 1 && keys[0] === "samples" && isCount(s.samples, 1)) return { samples: s.samples };
    if (keys.length === 1 && keys[0] === "steps" && isCount(s.steps, 1)) return { steps: s.steps };
  }
  return fail("stop", `"first_exhausted", "all_exhausted", {samples: n} or {steps: n} with n a positive integer`, stop);
}
