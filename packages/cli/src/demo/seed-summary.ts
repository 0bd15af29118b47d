import { COTRAIN, COTRAIN_TOKENS, ROBOT_ONLY } from "./arms.js";
import type { ArmResult, Measures } from "./arms.js";

/** One whole experiment (world, pretraining, every arm) under one seed. */
export interface SeedRun {
  seed: number;
  /** The pretrained (VQA-only) model's measures: "before" for every arm. */
  before: Measures;
  pretrainDir: string;
  arms: ArmResult[];
  seconds: number;
}

export const PRETRAINED = "pretrained (VQA only)";

/** The measures the table summarizes; `vqaDrop` is the pretrained model's VQA accuracy minus the arm's, per seed. */
export const SUMMARY_METRICS = ["actionMse", "actionSuccess", "zeroShotMse", "zeroShotSuccess", "vqaAccuracy", "vqaDrop"] as const;
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

/** A measure over seeds: its mean and its spread, the min–max range (with 3 seeds a range says more than a std). */
export interface Spread {
  mean: number;
  min: number;
  max: number;
  /** Seeds that measured it (a null measure, e.g. no zero-shot split, is left out). */
  n: number;
  values: number[];
}

export interface ArmSummary {
  name: string;
  /** null for the pretrained model. */
  webShare: number | null;
  actions: "continuous" | "tokens";
  metrics: Record<SummaryMetric, Spread | null>;
}

/**
 * "a − b" for one measure. The difference exceeds the spread when the two arms' min–max ranges over seeds do not
 * overlap: every seed of one arm is above every seed of the other (null with fewer than 2 seeds of either).
 */
export interface Comparison {
  label: string;
  metric: SummaryMetric;
  a: string;
  b: string;
  difference: number;
  exceedsSpread: boolean | null;
}

export interface SeedSummary {
  seeds: number[];
  arms: ArmSummary[];
  comparisons: Comparison[];
}

/** The comparisons issue 14 asks about (those whose arms ran). */
const COMPARISONS: readonly Omit<Comparison, "difference" | "exceedsSpread">[] = [
  { label: "robot-only fine-tuning forgets VQA: VQA accuracy, pretrained − robot only", metric: "vqaAccuracy", a: PRETRAINED, b: ROBOT_ONLY },
  { label: "co-training keeps VQA: VQA accuracy, co-train 1:1 − pretrained", metric: "vqaAccuracy", a: COTRAIN, b: PRETRAINED },
  { label: "in-distribution action MSE, co-train 1:1 − robot only", metric: "actionMse", a: COTRAIN, b: ROBOT_ONLY },
  { label: "zero-shot success, co-train 1:1 − robot only", metric: "zeroShotSuccess", a: COTRAIN, b: ROBOT_ONLY },
  { label: "action MSE, tokens − continuous head (co-train 1:1)", metric: "actionMse", a: COTRAIN_TOKENS, b: COTRAIN },
  { label: "zero-shot success, tokens − continuous head (co-train 1:1)", metric: "zeroShotSuccess", a: COTRAIN_TOKENS, b: COTRAIN },
];

export function spreadOf(values: readonly (number | null)[]): Spread | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return null;
  return { mean: v.reduce((s, x) => s + x, 0) / v.length, min: Math.min(...v), max: Math.max(...v), n: v.length, values: v };
}

function metricOf(m: Measures, metric: SummaryMetric, before: Measures | null): number | null {
  if (metric !== "vqaDrop") return m[metric];
  return before === null || before.vqaAccuracy === null || m.vqaAccuracy === null ? null : before.vqaAccuracy - m.vqaAccuracy;
}

/** Per arm (the pretrained model first, then the arms in the order they ran), every measure's mean and range over seeds. */
export function summarizeSeeds(runs: readonly SeedRun[]): SeedSummary {
  if (runs.length === 0) throw new RangeError("summarizeSeeds needs at least one run");
  const first = runs[0] as SeedRun;
  const rows: { name: string; webShare: number | null; actions: "continuous" | "tokens"; pick: (r: SeedRun) => { m: Measures; before: Measures | null } | null }[] = [
    { name: PRETRAINED, webShare: null, actions: "continuous", pick: (r) => ({ m: r.before, before: null }) },
    ...first.arms.map((a) => ({ name: a.name, webShare: a.webShare, actions: a.actions, pick: (r: SeedRun) => {
      const arm = r.arms.find((x) => x.name === a.name);
      return arm ? { m: arm.measures, before: r.before } : null;
    } })),
  ];
  const arms: ArmSummary[] = rows.map((row) => {
    const picked = runs.map(row.pick);
    const metrics = Object.fromEntries(SUMMARY_METRICS.map((k) => [k, spreadOf(picked.map((p) => (p ? metricOf(p.m, k, p.before) : null)))])) as Record<SummaryMetric, Spread | null>;
    return { name: row.name, webShare: row.webShare, actions: row.actions, metrics };
  });
  const byName = new Map(arms.map((a) => [a.name, a]));
  const comparisons: Comparison[] = [];
  for (const c of COMPARISONS) {
    const a = byName.get(c.a)?.metrics[c.metric];
    const b = byName.get(c.b)?.metrics[c.metric];
    if (!a || !b) continue;
    const exceedsSpread = a.n < 2 || b.n < 2 ? null : a.min > b.max || b.min > a.max;
    comparisons.push({ ...c, difference: a.mean - b.mean, exceedsSpread });
  }
  return { seeds: runs.map((r) => r.seed), arms, comparisons };
}
