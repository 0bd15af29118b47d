import { Rng } from "@cotrain/core";
import type { SeedLike } from "@cotrain/core";

/** One sampled batch: the source of every row (in draw order) and the rows per source. */
export interface Draw {
  sources: Uint8Array | Uint16Array;
  counts: number[];
}

/**
 * Draws the source of each of `rows` rows independently, source i with probability `weights[i]`. The generator is
 * keyed by (seed, step), so the draw is a pure function of the step: no generator state needs saving, every rank
 * draws the same plan, and a resumed run draws exactly what the uninterrupted one would have.
 */
export function drawSampled(seed: SeedLike, step: number, weights: readonly number[], rows: number): Draw {
  const rng = Rng.from(seed, "mix-sampled", step);
  const cumulative: number[] = [];
  let sum = 0;
  let last = 0;
  weights.forEach((w, i) => {
    sum += w;
    cumulative.push(sum);
    if (w > 0) last = i;
  });
  const sources = weights.length <= 256 ? new Uint8Array(rows) : new Uint16Array(rows);
  const counts = weights.map(() => 0);
  for (let r = 0; r < rows; r++) {
    const u = rng.float() * sum;
    let i = 0;
    // A zero weight has an empty interval, so `u < cumulative[i]` never picks it; rounding at the top falls to `last`.
    while (i < last && u >= (cumulative[i] as number)) i++;
    sources[r] = i;
    counts[i]!++;
  }
  return { sources, counts };
}
