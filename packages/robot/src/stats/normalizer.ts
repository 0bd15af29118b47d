import type { FeatureStats } from "./dataset-stats.js";

/**
 * - "q01_q99" (OpenVLA's BOUNDS_Q99): y = clip(2·(x − q01)/(q99 − q01 + ε) − 1, −1, 1). Robust to outliers; values
 *   outside [q01, q99] are clipped, so `unnormalize` returns them at the bound.
 * - "mean_std" (OpenVLA's NORMAL): y = (x − mean)/(std + ε), not clipped, exactly invertible.
 */
export type NormalizationMode = "q01_q99" | "mean_std";

export interface NormalizerOptions {
  /** Default "q01_q99". */
  mode?: NormalizationMode;
  /**
   * Per dimension, whether to normalize it (default: all). Dimensions left out pass through unchanged and
   * unclipped: use `gripperMask(dim)` to keep a 0/1 gripper command as it is.
   */
  mask?: readonly boolean[];
}

export interface Normalizer {
  readonly mode: NormalizationMode;
  /** Dimensions per step. Inputs hold any whole number of steps (an action chunk is H×dim). */
  readonly dim: number;
  readonly mask: readonly boolean[];
  normalize(values: ArrayLike<number>): Float32Array;
  unnormalize(values: ArrayLike<number>): Float32Array;
  describe(): string;
}

/** OpenVLA's epsilon: keeps a constant dimension (q99 = q01, std = 0) finite. */
const EPS = 1e-8;

/** A mask that normalizes every dimension except the gripper's (by default the last, as in Bridge and DROID). */
export function gripperMask(dim: number, gripper: number | readonly number[] = dim - 1): boolean[] {
  const skip = new Set(typeof gripper === "number" ? [gripper] : gripper);
  for (const g of skip) if (!Number.isInteger(g) || g < 0 || g >= dim) throw new RangeError(`gripper dimension must be in 0..${dim - 1}, got ${g}`);
  return Array.from({ length: dim }, (_, d) => !skip.has(d));
}

/** A normalizer over one feature's statistics (see NormalizationMode). */
export function makeNormalizer(stats: FeatureStats, options: NormalizerOptions = {}): Normalizer {
  const mode = options.mode ?? "q01_q99";
  if (mode !== "q01_q99" && mode !== "mean_std") throw new RangeError(`mode must be "q01_q99" or "mean_std", got ${JSON.stringify(mode)}`);
  const dim = stats.mean.length;
  const mask = options.mask ? [...options.mask] : new Array<boolean>(dim).fill(true);
  if (mask.length !== dim) throw new RangeError(`mask has ${mask.length} entries, the statistics ${dim} dimensions`);
  // y = (x − shift) · scale − offset, per dimension, computed in float64.
  const shift = mode === "q01_q99" ? stats.q01 : stats.mean;
  const span = mode === "q01_q99" ? stats.q99.map((hi, d) => 2 / (hi - (stats.q01[d] as number) + EPS)) : stats.std.map((s) => 1 / (s + EPS));
  const offset = mode === "q01_q99" ? 1 : 0;
  const clip = mode === "q01_q99";
  const check = (values: ArrayLike<number>): void => {
    if (values.length % dim !== 0) throw new RangeError(`expected a multiple of ${dim} values, got ${values.length}`);
  };
  return {
    mode,
    dim,
    mask,
    normalize(values) {
      check(values);
      const out = Float32Array.from(values);
      for (let i = 0; i < out.length; i++) {
        const d = i % dim;
        if (!mask[d]) continue;
        const y = ((values[i] as number) - (shift[d] as number)) * (span[d] as number) - offset;
        out[i] = clip ? Math.min(1, Math.max(-1, y)) : y;
      }
      return out;
    },
    unnormalize(values) {
      check(values);
      const out = Float32Array.from(values);
      for (let i = 0; i < out.length; i++) {
        const d = i % dim;
        if (!mask[d]) continue;
        const y = clip ? Math.min(1, Math.max(-1, values[i] as number)) : (values[i] as number);
        out[i] = (y + offset) / (span[d] as number) + (shift[d] as number);
      }
      return out;
    },
    describe: () => `normalize(${mode}, dim=${dim}${mask.every(Boolean) ? "" : `, skip=[${mask.flatMap((m, d) => (m ? [] : [d])).join(",")}]`})`,
  };
}
