import type { EvalMetrics, MetricsLine, StepMetrics } from "@cotrain/trainer";
import type { Series } from "./svg-chart.js";

/** The curves of a run's metrics, as chart series. */
export interface RunSeries {
  losses: Series[];
  learningRate: Series[];
  /** Achieved cumulative share per source (and the target share, where the mixer reported it). */
  mixture: Series[];
  evalRobot: Series[];
  evalVqa: Series[];
}

const finitePoints = (points: [number, number][]): [number, number][] => points.filter(([, y]) => Number.isFinite(y));

function mixtureSeries(train: readonly StepMetrics[]): Series[] {
  const names = [...new Set(train.flatMap((m) => Object.keys(m.sourceShares ?? {})))];
  const withStats = train.filter((m) => typeof m.sourceStats === "object" && m.sourceStats !== null && "sources" in (m.sourceStats as object));
  if (withStats.length > 0) {
    // The mixer's own accounting: share of all rows delivered so far, and the target the weights integrate to.
    const statNames = [...new Set(withStats.flatMap((m) => Object.keys((m.sourceStats as { sources: object }).sources)))];
    const at = (m: StepMetrics, name: string, key: "share" | "targetShare"): number => Number((m.sourceStats as { sources: Record<string, Record<string, unknown>> }).sources[name]?.[key]);
    return statNames.flatMap((name) => [
      { name: `${name} achieved`, points: finitePoints(withStats.map((m) => [m.step, at(m, name, "share")])) },
      { name: `${name} target`, points: finitePoints(withStats.map((m) => [m.step, at(m, name, "targetShare")])) },
    ]);
  }
  // Without mixer stats: the running share from each batch's rows per source.
  const totals: Record<string, number> = {};
  let rows = 0;
  const points: Record<string, [number, number][]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const m of train) {
    rows += m.rows;
    for (const n of names) {
      totals[n] = (totals[n] ?? 0) + (m.sourceShares?.[n] ?? 0) * m.rows;
      points[n]!.push([m.step, (totals[n] as number) / Math.max(1, rows)]);
    }
  }
  return names.map((n) => ({ name: `${n} achieved`, points: points[n]! }));
}

export function runSeries(lines: readonly MetricsLine[]): RunSeries {
  const train = lines.filter((l): l is StepMetrics => l.type === "train");
  const evals = lines.filter((l): l is EvalMetrics => l.type === "eval");
  const series = (name: string, pick: (m: StepMetrics) => number, trained: (m: StepMetrics) => boolean = () => true): Series => ({
    name,
    points: finitePoints(train.filter(trained).map((m) => [m.step, pick(m)])),
  });
  const evalSeries = (part: "robot" | "vqa", key: string, name: string): Series[] => {
    const points = finitePoints(evals.filter((e) => e[part]?.[key] !== undefined && e[part]?.[key] !== null).map((e) => [e.step, Number(e[part]![key])]));
    return points.length ? [{ name, points }] : [];
  };
  return {
    // A head's loss is exactly 0 on a batch that gave it nothing to learn (no robot rows, no text labels): such
    // steps are left out of its curve rather than drawn as a perfect score.
    losses: [series("total", (m) => m.loss), series("action head", (m) => m.actionLoss, (m) => m.actionRows > 0), series("text head", (m) => m.textLoss, (m) => m.trainedTokens > 0)],
    learningRate: [series("learning rate", (m) => m.lr)],
    mixture: mixtureSeries(train),
    evalRobot: [...evalSeries("robot", "actionMse", "action MSE"), ...evalSeries("robot", "actionL1", "action L1"), ...evalSeries("robot", "actionTokenAccuracy", "action token accuracy")],
    evalVqa: [...evalSeries("vqa", "exactMatch", "VQA exact match"), ...evalSeries("vqa", "textLoss", "VQA text loss")],
  };
}
