/**
 * Exact per-batch quotas. The mixer keeps, per source, the cumulative target T_i (the sum over past rows of the
 * source's weight at that step) and the cumulative count D_i it delivered. After every batch each D_i is
 * floor(T_i) or ceil(T_i), so every prefix of the stream (at batch boundaries) is within one row of its target
 * for every source, and a batch's count for a source is its quota w_i·B rounded down or up.
 *
 * Which sources are rounded up is the only choice. A source rounded up stays ahead of its target until the target
 * crosses the next integer, and meanwhile must not lose its row again (counts cannot be negative). Rounding up the
 * sources with the largest remainder (Megatron's "largest error first", or a per-row greedy) can therefore strand
 * too many sources ahead at once and break the bound for 3+ sources (simulation finds errors up to 1.2). We round
 * up the sources whose targets reach their next integer soonest (earliest deadline first, the idea of Tijdeman's
 * chairman assignment), using the schedule's future weights, which keeps every error below one in our property
 * tests for constant weights, ramps and jumps. Should it ever be impossible, `planExact` degrades gracefully
 * (the smallest extra error, never a negative count) instead of failing.
 */

/** Steps until source `i`'s target gains `need` more rows, from the weights of the steps after this one. */
export type Deadline = (i: number, need: number) => number;

/**
 * Plans one batch of `rows` rows. `targets` are the cumulative targets including this batch, `delivered` the
 * counts before it. Returns the rows each source contributes (non-negative, summing to `rows`).
 */
export function planExact(targets: readonly number[], delivered: readonly number[], rows: number, deadline: Deadline): number[] {
  const n = targets.length;
  const total = delivered.reduce((a, b) => a + b, 0) + rows;
  const next = targets.map((t, i) => Math.max(Math.floor(t), delivered[i] as number));
  const stuck = delivered.map((d, i) => d > Math.floor(targets[i] as number));
  let extra = total - next.reduce((a, b) => a + b, 0);

  if (extra > 0) {
    // Round up: first sources with a fractional target (earliest deadline first), then any other (float edge).
    const order = Array.from({ length: n }, (_, i) => i).filter((i) => !stuck[i]);
    const key = order.map((i) => {
      const t = targets[i] as number;
      const need = Math.floor(t) + 1 - t;
      return { i, fractional: t > Math.floor(t), due: deadline(i, need) };
    });
    key.sort((a, b) => Number(b.fractional) - Number(a.fractional) || a.due - b.due || a.i - b.i);
    for (let k = 0; extra > 0; k = (k + 1) % key.length, extra--) next[(key[k] as { i: number }).i]!++;
  }
  while (extra < 0) {
    // Only when rounding is impossible: take rows back where that adds the least error.
    let best = -1;
    for (let i = 0; i < n; i++) {
      if ((next[i] as number) <= (delivered[i] as number)) continue;
      if (best < 0 || frac(targets[i] as number) < frac(targets[best] as number)) best = i;
    }
    next[best]!--;
    extra++;
  }
  return next.map((v, i) => v - (delivered[i] as number));
}

function frac(x: number): number {
  return x - Math.floor(x);
}

/** The largest |T_i - D_i|: the property the exact mode keeps below one. */
export function maxError(targets: readonly number[], delivered: readonly number[]): number {
  return targets.reduce((m, t, i) => Math.max(m, Math.abs(t - (delivered[i] as number))), 0);
}
