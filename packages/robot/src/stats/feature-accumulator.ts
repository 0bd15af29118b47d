import { ValueError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import type { FeatureStats } from "./dataset-stats.js";
import { QuantileSketch } from "./quantile-sketch.js";
import type { SketchOptions } from "./quantile-sketch.js";

/**
 * One streaming pass of per-dimension statistics: Welford's running mean and M2 (stable in float64 for any count),
 * exact min and max, and a quantile sketch per dimension. The first vector fixes the dimension.
 */
export class FeatureAccumulator {
  private dim = -1;
  private n = 0;
  private mean = new Float64Array(0);
  private m2 = new Float64Array(0);
  private min = new Float64Array(0);
  private max = new Float64Array(0);
  private sketches: QuantileSketch[] = [];

  constructor(
    private readonly name: string,
    private readonly sketch: SketchOptions,
  ) {}

  get count(): number {
    return this.n;
  }

  /** Adds `steps` vectors laid out row-major in `values` from `start`, each `dim` long. */
  add(values: ArrayLike<number>, start: number, dim: number, steps: number, where: ErrorLocation): void {
    if (this.dim === -1) this.init(dim);
    if (dim !== this.dim) throw new ValueError("STATS_DIM", `${this.name} is ${dim}-D here but ${this.dim}-D earlier`, { ...where, field: this.name });
    for (let s = 0; s < steps; s++) {
      this.n++;
      const base = start + s * dim;
      for (let d = 0; d < dim; d++) {
        const x = values[base + d] as number;
        if (!Number.isFinite(x)) throw new ValueError("NON_FINITE", `${this.name}[${d}] is ${x}`, { ...where, field: this.name });
        const delta = x - (this.mean[d] as number);
        this.mean[d] = (this.mean[d] as number) + delta / this.n;
        this.m2[d] = (this.m2[d] as number) + delta * (x - (this.mean[d] as number));
        if (x < (this.min[d] as number)) this.min[d] = x;
        if (x > (this.max[d] as number)) this.max[d] = x;
        (this.sketches[d] as QuantileSketch).add(x);
      }
    }
  }

  /** The statistics so far, or null when nothing was added. */
  result(): FeatureStats | null {
    if (this.n === 0) return null;
    const clamp = (v: number, d: number): number => Math.min(this.max[d] as number, Math.max(this.min[d] as number, v));
    const q = (p: number): number[] => this.sketches.map((s, d) => clamp(s.quantile(p), d));
    return {
      count: this.n,
      mean: Array.from(this.mean),
      std: Array.from(this.m2, (m) => Math.sqrt(m / this.n)),
      min: Array.from(this.min),
      max: Array.from(this.max),
      q01: q(0.01),
      q99: q(0.99),
    };
  }

  private init(dim: number): void {
    this.dim = dim;
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim);
    this.min = new Float64Array(dim).fill(Infinity);
    this.max = new Float64Array(dim).fill(-Infinity);
    this.sketches = Array.from({ length: dim }, () => new QuantileSketch(this.sketch));
  }
}
