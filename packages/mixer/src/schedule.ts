import { ConfigError } from "@cotrain/core";
import { normalizeWeights, weightsRecord } from "./weights.js";
import type { WeightsSpec } from "./weights.js";
import type { Deadline } from "./quota.js";

/**
 * One point of a weight schedule. From `step` on, the weights are `weights`; with `interpolate: "linear"` the
 * weights ramp linearly from the previous point's (at its step) to these (at this step), one value per step.
 */
export interface SchedulePoint {
  step: number;
  weights: WeightsSpec;
  interpolate?: "step" | "linear";
}

/** A schedule point after validation: normalized weights by name. */
export interface ResolvedPoint {
  step: number;
  weights: Record<string, number>;
  interpolate: "step" | "linear";
}

interface Point {
  step: number;
  weights: number[];
  linear: boolean;
}

/**
 * Mixture weights as a function of the training step: piecewise constant with optional linear ramps. The
 * schedule is data (JSON-describable), so a resumed run computes the same weights from the step alone.
 */
export class Schedule {
  private readonly points: Point[];

  constructor(points: readonly SchedulePoint[], private readonly names: readonly string[], option = "schedule") {
    if (!Array.isArray(points) || points.length === 0) {
      throw new ConfigError("MIX_SCHEDULE", `${option} must be a non-empty array of {step, weights, interpolate?}, got ${JSON.stringify(points)}`, { field: option });
    }
    this.points = points.map((p, i) => {
      const at = `${option}[${i}]`;
      if (typeof p !== "object" || p === null) throw new ConfigError("MIX_SCHEDULE", `${at} must be {step, weights, interpolate?}, got ${JSON.stringify(p)}`, { field: at });
      const previous = i > 0 ? (points[i - 1] as SchedulePoint).step : -1;
      if (!Number.isInteger(p.step) || p.step < 0 || p.step <= previous || (i === 0 && p.step !== 0)) {
        const rule = i === 0 ? "0 (the schedule starts at step 0)" : `an integer greater than ${previous}`;
        throw new ConfigError("MIX_SCHEDULE", `${at}.step must be ${rule}, got ${JSON.stringify(p.step)}`, { field: `${at}.step` });
      }
      const interpolate = p.interpolate ?? "step";
      if (interpolate !== "step" && interpolate !== "linear") {
        throw new ConfigError("MIX_SCHEDULE", `${at}.interpolate must be "step" or "linear", got ${JSON.stringify(p.interpolate)}`, { field: `${at}.interpolate` });
      }
      if (i === 0 && interpolate === "linear") {
        throw new ConfigError("MIX_SCHEDULE", `${at}.interpolate cannot be "linear": the first point has no previous point to ramp from`, { field: `${at}.interpolate` });
      }
      return { step: p.step, weights: normalizeWeights(p.weights, names, `${at}.weights`), linear: interpolate === "linear" };
    });
  }

  /** The normalized weights at `step` (in source order). */
  weightsAt(step: number): number[] {
    const next = this.indexAfter(step);
    const current = this.points[next - 1] as Point;
    const following = this.points[next];
    if (following === undefined || !following.linear) return current.weights;
    const t = (step - current.step) / (following.step - current.step);
    return current.weights.map((w, i) => w + ((following.weights[i] as number) - w) * t);
  }

  /** Whether the weights stay the same at every step from `step` on (then the future is `weightsAt(step)`). */
  constantFrom(step: number): boolean {
    return this.indexAfter(step) === this.points.length;
  }

  /**
   * The earliest-deadline key of the exact planner for the batches of `batchSize` rows after `step`: steps until
   * the fractional parts of source `i`'s future quotas (w_i·B) add up to `need`. Closed form once the weights no
   * longer change; else a walk through the next `horizon` steps and an extrapolation from there.
   */
  deadlineAfter(step: number, batchSize: number, horizon = 64): Deadline {
    const fraction = (w: number): number => w * batchSize - Math.floor(w * batchSize);
    if (this.constantFrom(step + 1)) {
      const f = this.weightsAt(step + 1).map(fraction);
      return (i, need) => ((f[i] as number) > 0 ? need / (f[i] as number) : Number.POSITIVE_INFINITY);
    }
    let future: number[][] | null = null;
    return (i, need) => {
      future ??= Array.from({ length: horizon }, (_, j) => this.weightsAt(step + 1 + j).map(fraction));
      let gained = 0;
      for (let j = 0; j < horizon; j++) {
        const f = (future[j] as number[])[i] as number;
        if (f > 0 && gained + f >= need) return j + (need - gained) / f;
        gained += f;
      }
      const last = (future[horizon - 1] as number[])[i] as number;
      return last > 0 ? horizon + (need - gained) / last : Number.POSITIVE_INFINITY;
    };
  }

  /** The largest number of sources with a nonzero weight at any one step (ramps count both ends). */
  maxNonzero(): number {
    let most = 0;
    this.points.forEach((p, k) => {
      const previous = this.points[k - 1];
      const count = p.weights.filter((w, i) => w > 0 || (p.linear && (previous?.weights[i] ?? 0) > 0)).length;
      most = Math.max(most, count);
    });
    return most;
  }

  /** Whether source `i` has a nonzero weight anywhere in the schedule. */
  everUsed(i: number): boolean {
    return this.points.some((p) => (p.weights[i] as number) > 0);
  }

  /** The validated schedule, weights normalized, as data. */
  resolved(): ResolvedPoint[] {
    return this.points.map((p) => ({ step: p.step, weights: weightsRecord(p.weights, this.names), interpolate: p.linear ? "linear" : "step" }));
  }

  get length(): number {
    return this.points.length;
  }

  /** Index of the first point after `step` (points are few, a linear scan is fine). */
  private indexAfter(step: number): number {
    let k = 1;
    while (k < this.points.length && (this.points[k] as Point).step <= step) k++;
    return k;
  }
}
