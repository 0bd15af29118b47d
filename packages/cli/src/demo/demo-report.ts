import { writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { readMetrics } from "@cotrain/trainer";
import type { MetricsLine, StepMetrics } from "@cotrain/trainer";
import { barChartSvg, lineChartSvg } from "../report/svg-chart.js";
import type { Series } from "../report/svg-chart.js";
import { svgToPng } from "../report/png.js";
import { escapeHtml } from "../report/html.js";
import { PRETRAINED } from "./seed-summary.js";
import type { ArmSummary, Comparison, SeedRun, SeedSummary, Spread, SummaryMetric } from "./seed-summary.js";

export interface DemoResult {
  /** Every seed's whole experiment, in seed order. */
  runs: SeedRun[];
  /** Mean and min–max range over the runs, and the comparisons. */
  summary: SeedSummary;
  /** Web shares fine-tuned with the continuous head (the sweep plots them when there are more than two). */
  webShares: number[];
  backend: string;
  seconds: number;
  command: string;
}

const num = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : "n/a");

/** "0.245" for one seed, "0.245 [0.210–0.280]" (mean [min–max]) for several. */
export function formatSpread(s: Spread | null, digits: number): string {
  if (s === null) return "n/a";
  return s.n > 1 ? `${num(s.mean, digits)} [${num(s.min, digits)}–${num(s.max, digits)}]` : num(s.mean, digits);
}

const COLUMNS: { header: string; metric: SummaryMetric; digits: number; pretrained: boolean }[] = [
  { header: "action MSE", metric: "actionMse", digits: 4, pretrained: true },
  { header: "success", metric: "actionSuccess", digits: 2, pretrained: true },
  { header: "zero-shot MSE", metric: "zeroShotMse", digits: 4, pretrained: true },
  { header: "zero-shot success", metric: "zeroShotSuccess", digits: 2, pretrained: true },
  { header: "VQA acc", metric: "vqaAccuracy", digits: 3, pretrained: true },
  { header: "VQA drop", metric: "vqaDrop", digits: 3, pretrained: false },
];

/**
 * The table the demo prints: arm | action MSE | success | zero-shot MSE | zero-shot success | VQA acc | VQA drop.
 * With several seeds each cell is "mean [min–max]".
 */
export function resultTable(summary: SeedSummary): string {
  const header = ["arm", ...COLUMNS.map((c) => c.header)];
  const rows = summary.arms.map((a: ArmSummary) => [a.name, ...COLUMNS.map((c) => (a.name === PRETRAINED && !c.pretrained ? "-" : formatSpread(a.metrics[c.metric], c.digits)))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

const signed = (v: number): string => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(4)}`;

/** One line per comparison: the difference of means and whether it exceeds the spread over seeds. */
export function comparisonLines(summary: SeedSummary): string[] {
  const byName = new Map(summary.arms.map((a) => [a.name, a]));
  return summary.comparisons.map((c: Comparison) => {
    const range = (name: string): string => {
      const s = byName.get(name)?.metrics[c.metric];
      return s ? `[${s.min.toFixed(3)}–${s.max.toFixed(3)}]` : "n/a";
    };
    const verdict =
      c.exceedsSpread === null
        ? "spread unknown (one seed; run with --seeds 3)"
        : c.exceedsSpread
          ? `exceeds the spread: the ranges over ${summary.seeds.length} seeds do not overlap (${range(c.a)} vs ${range(c.b)})`
          : `within the spread: the ranges over ${summary.seeds.length} seeds overlap (${range(c.a)} vs ${range(c.b)})`;
    return `${c.label}: ${signed(c.difference)}, ${verdict}`;
  });
}

function trainLines(lines: MetricsLine[]): StepMetrics[] {
  return lines.filter((l): l is StepMetrics => l.type === "train");
}

interface Plot {
  file: string;
  title: string;
  svg: string;
}

/** Training curves of one seed's runs (the first: curves of several seeds on one chart would not be readable). */
function curvePlots(run: SeedRun): Plot[] {
  const runs = [{ name: "pretrain (VQA only)", dir: run.pretrainDir }, ...run.arms.map((a) => ({ name: a.name, dir: a.runDir }))];
  const metrics = runs.map((r) => ({ ...r, lines: readMetrics(join(r.dir, "metrics.jsonl")) }));
  const series = (pick: (m: StepMetrics) => number, only?: (name: string) => boolean): Series[] =>
    metrics.filter((m) => !only || only(m.name)).map((m) => ({ name: m.name, points: trainLines(m.lines).map((l) => [l.step, pick(l)] as [number, number]) }));
  const cumulativeWeb = (lines: StepMetrics[]): [number, number][] => {
    let web = 0;
    let rows = 0;
    return lines.map((l) => {
      web += (l.sourceShares.web ?? 0) * l.rows;
      rows += l.rows;
      return [l.step, rows > 0 ? web / rows : 0];
    });
  };
  const seed = `seed ${run.seed}`;
  return [
    // Tokens arms train their actions through the text head: their action loss is a cross-entropy, not an MSE.
    { file: "action-loss.png", title: `Action loss (MSE, normalized) per continuous-head arm, ${seed}`, svg: lineChartSvg(series((l) => l.actionLoss, (n) => !n.startsWith("pretrain") && run.arms.find((a) => a.name === n)?.actions !== "tokens"), { title: "action head loss", xLabel: "step", yLabel: "MSE", logY: true }) },
    { file: "text-loss.png", title: `Text loss per phase (tokens arm: action tokens excluded), ${seed}`, svg: lineChartSvg(series((l) => l.textLoss), { title: "text head loss", xLabel: "step", yLabel: "cross-entropy", logY: true }) },
    { file: "mixture.png", title: `Achieved web share of the rows seen so far, ${seed}`, svg: lineChartSvg(metrics.filter((m) => !m.name.startsWith("pretrain")).map((m) => ({ name: m.name, points: cumulativeWeb(trainLines(m.lines)) })), { title: "achieved mixture (web share, cumulative)", xLabel: "step", yLabel: "web share" }) },
  ];
}

/** Arm names short enough for a bar chart's axis with six arms. */
const barLabel = (name: string): string => (name === PRETRAINED ? "pretrained" : name.replace(/^co-train (web |1:1 tokens)/, (_, rest: string) => rest));

/** Bars of means over seeds. */
function summaryPlots(summary: SeedSummary): Plot[] {
  const mean = (a: ArmSummary, k: SummaryMetric): number => a.metrics[k]?.mean ?? 0;
  const pretrained = summary.arms.find((a) => a.name === PRETRAINED);
  const arms = summary.arms.filter((a) => a.name !== PRETRAINED);
  const over = summary.seeds.length > 1 ? ` (mean over ${summary.seeds.length} seeds)` : "";
  return [
    {
      file: "vqa-accuracy.png",
      title: `VQA exact-match accuracy before and after fine-tuning${over}`,
      svg: barChartSvg(arms.map((a) => ({ label: barLabel(a.name), values: [{ name: "before (pretrained)", value: pretrained ? mean(pretrained, "vqaAccuracy") : 0 }, { name: "after", value: mean(a, "vqaAccuracy") }] })), { title: "VQA accuracy per arm", yLabel: "exact match" }),
    },
    {
      file: "success.png",
      title: `Success rate: held-out episodes whose predicted actions move towards the named object${over}`,
      svg: barChartSvg(summary.arms.map((a) => ({ label: barLabel(a.name), values: [{ name: "in-distribution", value: mean(a, "actionSuccess") }, { name: "zero-shot", value: mean(a, "zeroShotSuccess") }] })), { title: "success rate per arm", yLabel: "episodes succeeded" }),
    },
  ];
}

/** VQA accuracy and action error against the web share of the continuous-head arms (the sweep). */
function sweepPlots(summary: SeedSummary): Plot[] {
  const arms = summary.arms.filter((a) => a.webShare !== null && a.actions === "continuous").sort((x, y) => (x.webShare as number) - (y.webShare as number));
  const line = (name: string, k: SummaryMetric): Series => ({ name, points: arms.flatMap((a) => (a.metrics[k] ? [[a.webShare as number, a.metrics[k].mean] as [number, number]] : [])) });
  const over = summary.seeds.length > 1 ? `, mean over ${summary.seeds.length} seeds` : "";
  return [
    { file: "sweep-vqa.png", title: `VQA accuracy against the web share of fine-tuning${over}`, svg: lineChartSvg([line("VQA exact match", "vqaAccuracy"), line("zero-shot success", "zeroShotSuccess")], { title: "VQA accuracy and zero-shot success vs web share", xLabel: "web share of each batch", yLabel: "rate" }) },
    { file: "sweep-action.png", title: `Action error against the web share of fine-tuning${over}`, svg: lineChartSvg([line("action MSE (held-out)", "actionMse"), line("action MSE (zero-shot)", "zeroShotMse")], { title: "action MSE vs web share", xLabel: "web share of each batch", yLabel: "MSE (normalized)" }) },
  ];
}

/** Writes report.html and its PNG plots into `out`; returns the files written. */
export async function writeDemoReport(out: string, result: DemoResult): Promise<string[]> {
  const { summary } = result;
  const plots = [...summaryPlots(summary), ...(result.webShares.length > 2 ? sweepPlots(summary) : []), ...curvePlots(result.runs[0] as SeedRun)];
  for (const p of plots) await svgToPng(p.svg, join(out, p.file));
  const seeds = summary.seeds.length;
  const runDirs = result.runs.flatMap((r) => [{ name: `seed ${r.seed}: pretrain (VQA only)`, dir: r.pretrainDir }, ...r.arms.map((a) => ({ name: `seed ${r.seed}: ${a.name}`, dir: a.runDir }))]);
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>cotrain demo: co-training vs robot-only fine-tuning</title>
<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 1em}pre{background:#f6f6f6;padding:1em;overflow:auto}img{max-width:100%;border:1px solid #ddd}</style></head>
<body>
<h1>Co-training vs robot-only fine-tuning</h1>
<p>A small VLA was first trained on VQA only (standing in for a pretrained VLM), then fine-tuned from that checkpoint with the same steps and seed on
robot data only, on exact 1:1 robot:web batches, and on 1:1 batches with OpenVLA-style action tokens (256 bins per dimension, predicted by the text head)
instead of the continuous action head. Action MSE is on held-out episodes (normalized actions; the tokens arm's decoded bin centres); VQA accuracy is
greedy exact match on held-out questions; the zero-shot split's instructions name objects by category ("the red fruit"), which only the web data explains.</p>
<p><b>Success</b> is the share of held-out episodes in which the predicted actions move towards the named object: a step is judged where the scripted
expert moves sideways by at least 0.02 (its approach and push; not descending, gripping or lifting), and passes when the predicted sideways motion is
within 45° of the expert's (which heads for the target); an episode succeeds when more than half of its judged steps pass. A random direction passes a step
one time in four. Open loop: every step starts from the recorded state.</p>
<p>${seeds > 1 ? `Seeds ${summary.seeds.join(", ")}: each seed is a whole experiment (its own world, pretraining and arms); cells are mean [min–max] over the seeds.` : `One seed (${summary.seeds[0]}); <code>--seeds 3</code> gives mean [min–max] over seeds and says which differences exceed the spread.`}</p>
<pre>${escapeHtml(resultTable(summary))}</pre>
<h2>Differences</h2>
<p>A difference exceeds the spread when the two arms' min–max ranges over seeds do not overlap.</p>
<ul>${comparisonLines(summary).map((l) => `<li>${escapeHtml(l)}</li>`).join("")}</ul>
<p>Backend: ${escapeHtml(result.backend)}; wall time ${result.seconds.toFixed(0)} s; command: <code>${escapeHtml(result.command)}</code>.</p>
${plots.map((p) => `<h2>${escapeHtml(p.title)}</h2><img src="${p.file}" alt="${escapeHtml(p.title)}">`).join("\n")}
<h2>Runs</h2><ul>${runDirs.map((r) => `<li>${escapeHtml(r.name)}: <code>${escapeHtml(relative(out, r.dir))}/metrics.jsonl</code></li>`).join("")}</ul>
</body></html>
`;
  await writeFile(join(out, "report.html"), html);
  await writeFile(join(out, "results.json"), `${JSON.stringify(result, null, 2)}\n`);
  return ["report.html", "results.json", ...plots.map((p) => p.file)].map((f) => join(out, f));
}
