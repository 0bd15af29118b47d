import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { MissingError, writeAtomically } from "@cotrain/core";
import type { EvalMetrics, StepMetrics } from "@cotrain/trainer";
import { escapeHtml, htmlPage, htmlTable } from "./html.js";
import { svgToPng } from "./png.js";
import { runSeries } from "./run-series.js";
import { lineChartSvg } from "./svg-chart.js";
import type { Series } from "./svg-chart.js";

/** A section added to the report by its caller (the demo's results table, an arm comparison). */
export interface ReportSection {
  title: string;
  /** HTML body of the section, inserted as given. */
  html: string;
}

/** A chart added by the caller, rendered to `plots/<name>.png` beside the built-in ones. */
export interface ReportPlot {
  name: string;
  title: string;
  svg: string;
}

export interface RunReportOptions {
  /** Page title (default "cotrain run: <folder name>"). */
  title?: string;
  /** Sections placed after the summary, before the built-in plots. */
  extraSections?: readonly ReportSection[];
  extraPlots?: readonly ReportPlot[];
}

export interface RunReport {
  /** Absolute path of report.html. */
  html: string;
  /** Absolute paths of the PNG plots written. */
  plots: string[];
  steps: number;
  evals: number;
}

export const METRICS_FILE = "metrics.jsonl";

const readJson = (path: string): unknown => (existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : null);

/**
 * Writes `report.html` and PNG plots (`plots/*.png`: loss per head, learning rate, achieved mixture share per
 * source, evaluations) for a run folder with a trainer's metrics.jsonl. The page refers to the plots by relative
 * path, so the folder can be moved or served as it is.
 */
export async function writeRunReport(runDir: string, options: RunReportOptions = {}): Promise<RunReport> {
  const dir = resolve(runDir);
  const metricsPath = join(dir, METRICS_FILE);
  if (!existsSync(metricsPath)) throw new MissingError("RUN_NO_METRICS", `no ${METRICS_FILE}: is this a run folder written by cotrain train?`, { file: metricsPath });
  // Loaded on use: importing the trainer brings tfjs, which nothing else here needs.
  const { readMetrics } = await import("@cotrain/trainer");
  const lines = readMetrics(metricsPath);
  const train = lines.filter((l): l is StepMetrics => l.type === "train");
  const evals = lines.filter((l): l is EvalMetrics => l.type === "eval");
  if (train.length === 0 && evals.length === 0) throw new MissingError("RUN_EMPTY_METRICS", "metrics.jsonl holds no step or evaluation", { file: metricsPath });
  const s = runSeries(lines);
  const plotsDir = join(dir, "plots");
  await mkdir(plotsDir, { recursive: true });

  const charts: { name: string; title: string; svg: string }[] = [];
  const chart = (name: string, title: string, series: Series[], yLabel: string, logY = false): void => {
    if (series.some((x) => x.points.length > 0)) charts.push({ name, title, svg: lineChartSvg(series, { title, xLabel: "step", yLabel, logY }) });
  };
  chart("loss", "Training loss per head", s.losses, "loss");
  chart("learning-rate", "Learning rate", s.learningRate, "lr");
  chart("mixture", "Mixture: cumulative share per source", s.mixture, "share of rows");
  chart("eval-robot", "Held-out robot actions", s.evalRobot, "error");
  chart("eval-vqa", "Held-out VQA", s.evalVqa, "value");
  for (const p of options.extraPlots ?? []) charts.push(p);
  const plots: string[] = [];
  for (const c of charts) {
    const file = join(plotsDir, `${c.name}.png`);
    await svgToPng(c.svg, file);
    plots.push(file);
  }

  const run = readJson(join(dir, "run.json")) as Record<string, unknown> | null;
  const config = readJson(join(dir, "cotrain-config.json"));
  const last = train.at(-1);
  const summaryRows: [string, string | number][] = [
    ["steps", last?.step ?? 0],
    ...(last ? ([["last loss", last.loss], ["last action loss", last.actionLoss], ["last text loss", last.textLoss], ["samples/s (last step)", last.samplesPerSec]] as [string, number][]) : []),
    ...(run ? ([["backend", String((run.backend as { backend?: string } | undefined)?.backend ?? "?")], ["parameters", Number(run.numParams ?? NaN)]] as [string, string | number][]) : []),
  ];
  const body: string[] = [`<p>Run folder: <code>${escapeHtml(dir)}</code></p>`, "<h2>Summary</h2>", htmlTable(["", "value"], summaryRows)];
  for (const section of options.extraSections ?? []) body.push(`<h2>${escapeHtml(section.title)}</h2>`, section.html);
  body.push("<h2>Plots</h2>", ...charts.map((c) => `<figure><img src="plots/${escapeHtml(c.name)}.png" alt="${escapeHtml(c.title)}"><figcaption>${escapeHtml(c.title)}</figcaption></figure>`));
  if (evals.length) {
    body.push(
      "<h2>Evaluations</h2>",
      htmlTable(
        ["step", "action MSE", "action L1", "VQA exact match", "VQA text loss", "VQA perplexity"],
        evals.map((e) => [e.step, ...[e.robot?.actionMse, e.robot?.actionL1, e.vqa?.exactMatch, e.vqa?.textLoss, e.vqa?.perplexity].map((v) => (typeof v === "number" ? v : "-"))]),
      ),
    );
  }
  if (run) body.push(`<details><summary>run.json</summary><pre>${escapeHtml(JSON.stringify(run, null, 2))}</pre></details>`);
  if (config) body.push(`<details><summary>config</summary><pre>${escapeHtml(JSON.stringify(config, null, 2))}</pre></details>`);
  const html = join(dir, "report.html");
  await writeAtomically(html, (tmp) => writeFile(tmp, htmlPage(options.title ?? `cotrain run: ${basename(dir)}`, body.join("\n"))));
  return { html, plots, steps: train.length, evals: evals.length };
}
