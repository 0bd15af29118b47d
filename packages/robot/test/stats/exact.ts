/** numpy.quantile's default ("linear") definition, exactly. */
export function exactQuantile(values: readonly number[], q: number): { value: number; lo: number; hi: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const h = q * (sorted.length - 1);
  const i = Math.floor(h);
  const lo = sorted[i] as number;
  const hi = sorted[Math.min(i + 1, sorted.length - 1)] as number;
  return { value: lo + (h - i) * (hi - lo), lo, hi };
}
