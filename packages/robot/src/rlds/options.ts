import type { Normalizer } from "../stats/normalizer.js";
import type { RldsDatasetOptions } from "./dataset.js";
import type { ImageValidation } from "@cotrain/vision";
export { imageValidation } from "@cotrain/vision";

/** Options of `readRldsEpisodes` (episodes as they are) and the base of `openRlds` (rows). */
export interface RldsReadOptions extends RldsDatasetOptions {
  /**
   * Visit shard files in a permutation keyed by (seed, epoch), and the episodes (records) of each shard in a
   * permutation keyed by (seed, epoch, shard name). Default false: shard and record order.
   */
  shuffleEpisodes?: boolean;
  /** Seed of every shuffle and random choice (default 0). */
  seed?: number;
  /** "raise" (default) stops at the first bad episode; "skip" drops it and counts it by error code in `skipped()`. */
  onError?: "raise" | "skip";
  /** Image check per step (see ImageValidation): "header" (default), "decode" (= true) or "off" (= false). */
  validateImages?: boolean | ImageValidation;
}

/** Options of `openRlds`. */
export interface OpenRldsOptions extends RldsReadOptions {
  /** Rows per batch (default 64); batches run across episode boundaries. */
  batchSize?: number;
  /** Action chunk length H: each step carries its next H actions (H×D) and `action_is_pad` (default 0: one action). */
  chunk?: number;
  /**
   * Which instruction becomes the user turn: "primary" (default) the mapping's first instruction key; "random" one
   * of the non-empty primary and alternate instructions (DROID's language_instruction_2/_3), drawn per episode from
   * (seed, epoch, episode index), so a resumed run draws the same.
   */
  instructionChoice?: "primary" | "random";
  /** Normalizers applied to every row's action (per dimension of each chunk step) and state. */
  normalize?: { action?: Normalizer; state?: Normalizer };
}

export function nonNegativeInteger(name: string, value: number, min = 0): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

export function onErrorOption(value: RldsReadOptions["onError"]): "raise" | "skip" {
  const v = value ?? "raise";
  if (v !== "raise" && v !== "skip") throw new RangeError(`onError must be "raise" or "skip", got ${JSON.stringify(v)}`);
  return v;
}
