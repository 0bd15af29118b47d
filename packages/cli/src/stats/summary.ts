/** Distribution of a count or length: exact, from every value kept (4 bytes each, so millions are fine). */
export interface Distribution {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

export class DistributionBuilder {
  private values = new Float64Array(1024);
  private n = 0;

  add(value: number): void {
    if (this.n === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = value;
  }

  result(): Distribution | null {
    if (this.n === 0) return null;
    const sorted = this.values.slice(0, this.n).sort();
    // numpy's default (linear) quantile, as the robot statistics use.
    const q = (p: number): number => {
      const h = p * (this.n - 1);
      const lo = Math.floor(h);
      const hi = Math.ceil(h);
      return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
    };
    let sum = 0;
    for (const v of sorted) sum += v;
    return { count: this.n, min: sorted[0] as number, max: sorted[this.n - 1] as number, mean: sum / this.n, p50: q(0.5), p95: q(0.95), p99: q(0.99) };
  }
}
