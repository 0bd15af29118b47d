import type { TrainConfig, EvalSet } from "./config.js";
import type { Collate } from "./data.js";
import type { Batches } from "./eval.js";
import { collated, evaluateActions, evaluateText } from "./eval.js";
import type { EvalMetrics } from "./metrics.js";
import type { TokenRange } from "./model/inputs.js";
import type { VlaModel } from "./model/vla.js";

function batchesOf(set: EvalSet, collate: Collate): Batches {
  return "batches" in set ? set.batches : collated(set.source, set.collate ?? collate, set.maxBatches);
}

/** Runs the configured evaluators once and returns the metrics line (nulls where a metric does not apply). */
export async function runEvaluation(model: VlaModel, config: TrainConfig, step: number, actionTokens: TokenRange | undefined): Promise<EvalMetrics> {
  const ev = config.evaluation;
  const line: EvalMetrics = { type: "eval", step, time: new Date().toISOString() };
  if (ev?.robot) {
    const r = await evaluateActions(model, batchesOf(ev.robot, config.collate), { actionTokens });
    line.robot = { rows: r.rows, entries: r.entries, actionMse: r.mse, actionL1: r.l1, actionTokenAccuracy: r.tokenAccuracy, actionTokenLoss: r.tokenLoss };
  }
  if (ev?.vqa) {
    const v = await evaluateText(model, batchesOf(ev.vqa, config.collate), { exactMatch: ev.exactMatch ?? true, actionTokens });
    line.vqa = { rows: v.rows, tokens: v.tokens, textLoss: v.loss, perplexity: v.perplexity, answered: v.answered, exactMatch: v.exactMatch };
  }
  return line;
}

export function describeEval(line: EvalMetrics): string {
  const fmt = (o: Record<string, number | null> | undefined): string =>
    o === undefined ? "" : Object.entries(o).filter(([, v]) => v !== null).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : (v as number).toFixed(4)}`).join(", ");
  return `eval @ step ${line.step}: ${[line.robot ? `robot: ${fmt(line.robot)}` : "", line.vqa ? `vqa: ${fmt(line.vqa)}` : ""].filter(Boolean).join(" | ")}`;
}
