import { ConfigError } from "@cotrain/core";

export interface ScheduleOptions {
  /** Peak learning rate. */
  lr: number;
  /** Linear warmup from lr/warmupSteps to lr over this many steps. */
  warmupSteps: number;
  /** Steps of the whole run; cosine decay runs from the end of warmup to here. */
  totalSteps: number;
  /** The final learning rate as a fraction of lr. */
  minLrRatio: number;
}

export function validateSchedule(s: ScheduleOptions): void {
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) throw new ConfigError("BAD_OPTIMIZER", `\`optimizer.lr\` must be a positive number, got ${s.lr}`, { field: "optimizer.lr" });
  if (!Number.isInteger(s.warmupSteps) || s.warmupSteps < 0) throw new ConfigError("BAD_OPTIMIZER", `\`optimizer.warmupSteps\` must be a non-negative integer, got ${s.warmupSteps}`, { field: "optimizer.warmupSteps" });
  if (!(s.minLrRatio >= 0 && s.minLrRatio <= 1)) throw new ConfigError("BAD_OPTIMIZER", `\`optimizer.minLrRatio\` must be in [0, 1], got ${s.minLrRatio}`, { field: "optimizer.minLrRatio" });
}

/**
 * Learning rate for update number `step` (0-based): linear warmup to `lr`, then cosine decay to
 * `lr × minLrRatio` at `totalSteps`. A pure function of the step, so a resumed run uses the same rates.
 */
export function learningRateAt(step: number, s: ScheduleOptions): number {
  if (step < s.warmupSteps) return (s.lr * (step + 1)) / s.warmupSteps;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const progress = Math.min(1, (step - s.warmupSteps) / span);
  const min = s.lr * s.minLrRatio;
  return min + (s.lr - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
