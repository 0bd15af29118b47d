export interface SketchOptions {
  /** α: every value the sketch returns is within α·|x| of a true sample value x of the asked rank (default 0.005). */
  relativeAccuracy?: number;
  /** Values with |x| below this share one zero bucket (absolute error below it); default 1e-6. */
  minMagnitude?: number;
}

/**
 * A streaming quantile sketch with a relative-error guarantee, built on logarithmic buckets (the DDSketch idea,
 * Masson et al., VLDB 2019): a positive x falls in bucket i = ⌈log_γ x⌉ with γ = (1+α)/(1−α), i.e. (γ^(i−1), γ^i];
 * negatives mirror that; |x| < minMagnitude goes to a zero bucket. The bucket's representative 2γ^i/(γ+1) is within
 * α·|x| of every value in it, so the value of rank k is returned within max(α·|x_k|, minMagnitude) of the exact
 * one, deterministically and whatever the order of the input.
 *
 * Each bucket also keeps the exact min and max of its values, and the estimate is clamped into them: this never
 * moves it away from the true value and makes discrete values (a 0/1 gripper) exact.
 *
 * Memory is one small record per occupied bucket, bounded by the value range, not the count: values in
 * [1e-6, 1e3] in magnitude need at most 2·⌈ln(1e9)/ln γ⌉ + 1 ≈ 4,150 buckets at α = 0.005.
 */
interface Bucket {
  count: number;
  min: number;
  max: number;
}

export class QuantileSketch {
  readonly relativeAccuracy: number;
  readonly minMagnitude: number;
  private readonly logGamma: number;
  private readonly gamma: number;
  private readonly positive = new Map<number, Bucket>();
  private readonly negative = new Map<number, Bucket>();
  private readonly zeros: Bucket = { count: 0, min: Infinity, max: -Infinity };
  private n = 0;

  constructor(options: SketchOptions = {}) {
    const alpha = options.relativeAccuracy ?? 0.005;
    const minMagnitude = options.minMagnitude ?? 1e-6;
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`relativeAccuracy must be in (0, 1), got ${alpha}`);
    if (!(minMagnitude > 0)) throw new RangeError(`minMagnitude must be positive, got ${minMagnitude}`);
    this.relativeAccuracy = alpha;
    this.minMagnitude = minMagnitude;
    this.gamma = (1 + alpha) / (1 - alpha);
    this.logGamma = Math.log(this.gamma);
  }

  get count(): number {
    return this.n;
  }

  /** Occupied buckets (the memory in use). */
  get buckets(): number {
    return this.positive.size + this.negative.size + (this.zeros.count > 0 ? 1 : 0);
  }

  add(x: number): void {
    if (!Number.isFinite(x)) throw new RangeError(`QuantileSketch.add needs a finite number, got ${x}`);
    this.n++;
    const m = Math.abs(x);
    let bucket: Bucket | undefined;
    if (m < this.minMagnitude) {
      bucket = this.zeros;
    } else {
      const map = x > 0 ? this.positive : this.negative;
      const i = Math.ceil(Math.log(m) / this.logGamma);
      bucket = map.get(i);
      if (!bucket) map.set(i, (bucket = { count: 0, min: Infinity, max: -Infinity }));
    }
    bucket.count++;
    if (x < bucket.min) bucket.min = x;
    if (x > bucket.max) bucket.max = x;
  }

  /**
   * The q-quantile with numpy's default ("linear") definition: rank h = q·(n − 1), interpolated between the values
   * of ranks ⌊h⌋ and ⌈h⌉, each estimated by the sketch.
   */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`q must be in [0, 1], got ${q}`);
    if (this.n === 0) return NaN;
    const h = q * (this.n - 1);
    const lo = Math.floor(h);
    const [a, b] = this.valuesAtRanks(lo, Math.min(lo + 1, this.n - 1));
    return a + (h - lo) * (b - a);
  }

  /** Estimates of the values of ranks `r1 ≤ r2` (0-based, ascending order). */
  private valuesAtRanks(r1: number, r2: number): [number, number] {
    const out: number[] = [];
    let seen = 0;
    // The representative, pulled into the bucket's exact [min, max]: never further from the true value, and exact
    // when a bucket holds one distinct value (a 0/1 gripper).
    const take = (bucket: Bucket, representative: number): boolean => {
      seen += bucket.count;
      const value = Math.min(bucket.max, Math.max(bucket.min, representative));
      while (out.length < 2 && seen > (out.length === 0 ? r1 : r2)) out.push(value);
      return out.length === 2;
    };
    const neg = [...this.negative.keys()].sort((x, y) => y - x);
    for (const i of neg) if (take(this.negative.get(i) as Bucket, -this.representative(i))) return out as [number, number];
    if (this.zeros.count > 0 && take(this.zeros, 0)) return out as [number, number];
    const pos = [...this.positive.keys()].sort((x, y) => x - y);
    for (const i of pos) if (take(this.positive.get(i) as Bucket, this.representative(i))) return out as [number, number];
    throw new RangeError(`ranks ${r1}, ${r2} out of range for ${this.n} values`);
  }

  private representative(i: number): number {
    return (2 * Math.pow(this.gamma, i)) / (this.gamma + 1);
  }
}
