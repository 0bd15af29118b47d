import { ConfigError } from "@cotrain/core";
import { storageOf, valuesPerStep } from "./features.js";
import type { FlatFeature } from "./features.js";

/**
 * Which keys of an RLDS dataset become which canonical columns. Keys are step keys relative to "steps/", as
 * features.json nests them: "observation/image_0", "action", "action_dict/cartesian_position".
 */
export interface RldsMapping {
  /** Image keys in canonical camera order; a camera is named by its key's last segment ("image_0"). */
  cameras: string[];
  /** Numeric keys concatenated, in this order, into each step's action. */
  action: string[];
  /** Numeric keys concatenated into each step's state (absent or empty: the dataset has no state). */
  state?: string[];
  /**
   * Text keys: the first is the instruction (the user turn), the others are alternates kept in
   * `Episode.alternateInstructions` (and chosen from by `instructionChoice: "random"`). Default: language_instruction.
   */
  instruction?: string[];
  /** Further numeric step keys that `readRldsEpisodes` keeps in `Episode.extras` (and `writeRlds` writes back). */
  extras?: string[];
  /** Keys that may be absent from a dataset without error (a preset's alternates and extras). */
  optional?: string[];
}

export interface ResolvedKey {
  /** The Example key ("steps/" + mapping key). */
  key: string;
  /** The mapping key (relative to steps/). */
  name: string;
  feature: FlatFeature;
  /** Values per step. */
  size: number;
}

/** A mapping checked against a dataset's features: every key exists, has the right kind and a known size. */
export interface ResolvedMapping {
  cameras: ResolvedKey[];
  action: ResolvedKey[];
  actionDim: number;
  state: ResolvedKey[];
  stateDim: number;
  instruction: ResolvedKey | null;
  alternates: ResolvedKey[];
  extras: ResolvedKey[];
  /** Optional RLDS step fields present in the dataset (is_first, is_last, is_terminal, reward, discount). */
  flags: Partial<Record<"is_first" | "is_last" | "is_terminal" | "reward" | "discount", ResolvedKey>>;
  /** Episode-level features (episode_metadata/...). */
  metadata: FlatFeature[];
  /** Every step feature, to check each one's value count against the step count. */
  steps: FlatFeature[];
}

/** Checks `mapping` against `features` (raising ConfigError naming `file` and the key) and resolves sizes. */
export function resolveMapping(mapping: RldsMapping, features: readonly FlatFeature[], file: string): ResolvedMapping {
  const byKey = new Map(features.map((f) => [f.key, f]));
  const optional = new Set(mapping.optional ?? []);
  const fail = (name: string, message: string): never => {
    throw new ConfigError("RLDS_MAPPING", message, { file, field: `steps/${name}` });
  };
  const resolve = (name: string, want: "image" | "numeric" | "text"): ResolvedKey | null => {
    const feature = byKey.get(`steps/${name}`);
    if (!feature) {
      if (optional.has(name)) return null;
      const known = features.filter((f) => f.scope === "step").map((f) => f.key.slice(6));
      return fail(name, `the mapping names step key ${JSON.stringify(name)}, which features.json does not have (it has ${known.join(", ")})`);
    }
    const storage = storageOf(feature);
    if (storage === null) fail(name, `${name} is a tensor stored with encoding ${JSON.stringify(feature.encoding)}, which this reader does not support`);
    const ok = want === "image" ? feature.kind === "image" : want === "text" ? storage === "bytes" && feature.kind !== "image" : storage === "float" || storage === "int64";
    if (!ok) fail(name, `${name} must be ${want === "numeric" ? "a numeric tensor" : want === "image" ? "an image" : "a text"}, but features.json declares ${feature.kind} ${feature.dtype}`);
    const size = valuesPerStep(feature);
    if (size === null) fail(name, `${name} has an unknown dimension (shape [${feature.shape}]); its per-step size is needed`);
    return { key: feature.key, name, feature, size: size as number };
  };
  const all = (names: readonly string[] | undefined, want: "image" | "numeric" | "text"): ResolvedKey[] =>
    (names ?? []).map((n) => resolve(n, want)).filter((k): k is ResolvedKey => k !== null);
  if (mapping.cameras.length === 0 && mapping.action.length === 0) throw new ConfigError("RLDS_MAPPING", "the mapping names no cameras and no action", { file });
  if (mapping.action.length === 0) throw new ConfigError("RLDS_MAPPING", "the mapping must name at least one action key", { file, field: "action" });
  const instructionNames = mapping.instruction ?? (byKey.has("steps/language_instruction") ? ["language_instruction"] : []);
  const texts = all(instructionNames, "text");
  const action = all(mapping.action, "numeric");
  const state = all(mapping.state, "numeric");
  const flag = (name: string): ResolvedKey | undefined => (byKey.has(`steps/${name}`) ? (resolve(name, "numeric") ?? undefined) : undefined);
  const flags: ResolvedMapping["flags"] = {};
  for (const name of ["is_first", "is_last", "is_terminal", "reward", "discount"] as const) {
    const k = flag(name);
    if (k) flags[name] = k;
  }
  return {
    cameras: all(mapping.cameras, "image"),
    action,
    actionDim: action.reduce((n, k) => n + k.size, 0),
    state,
    stateDim: state.reduce((n, k) => n + k.size, 0),
    instruction: texts[0] ?? null,
    alternates: texts.slice(1),
    extras: all(mapping.extras, "numeric"),
    flags,
    metadata: features.filter((f) => f.scope === "episode"),
    steps: features.filter((f) => f.scope === "step"),
  };
}

/** The camera name of an image key: its last path segment. */
export function cameraName(key: string): string {
  return key.slice(key.lastIndexOf("/") + 1);
}
