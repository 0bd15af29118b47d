import { writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { readMetrics } from "@cotrain/trainer";
import type { MetricsLine, StepMetrics } from "@cotrain/trainer";
import { barChartSvg, lineChartSvg } from "../report/svg-chart.js";
import type { Series } from "../report/svg-chart.js";
import { svgToPng } from "../report/png.js";
import { escapeHtml } from "../report/html.js";
import type { ArmResult, Measures } from "./arms.js";

export interface DemoResult {
  before: Measures;
  pretrainDir: string;
  arms: ArmResult[];
  backend: string;
  seconds: number;
  command: string;
}

const num = (v: number | null, digits = 4): string => (v === null || !Number.isFinite(v) ? "n/a" : v.toFixed(digits));

/** The table the demo prints: arm | action MSE | VQA acc before | VQA acc after | drop (| zero-shot MSE). */
export function resultTable(result: DemoResult): string {
  const header = ["arm", "action MSE", "VQA acc before", "VQA acc after", "drop", "zero-shot MSE"];
  const rows = [
    ["pretrained (VQA only)", num(result.before.actionMse), "-", num(result.before.vqaAccuracy, 3), "-", num(result.before.zeroShotMse)],
    ...result.arms.map((a) => [
      a.name,
      num(a.measures.actionMse),
      num(result.before.vqaAccuracy, 3),
      num(a.measures.vqaAccuracy, 3),
      result.before.vqaAccuracy === null || a.measures.vqaAccuracy === null ? "n/a" : (result.before.vqaAccuracy - a.measures.vqaAccuracy).toFixed(3),
      num(a.measures.zeroShotMse),
    ]),
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function trainLines(lines: MetricsLine[]): StepMetrics[] {
  return lines.filter((l): l is StepMetrics => l.type === "train");
}

/** Writes report.html and its PNG plots into `out`; returns the files written. */
export async function writeDemoReport(out: string, result: DemoResult): Promise<string[]> {
  const runs = [{ name: "pretrain (VQA only)", dir: result.pretrainDir }, ...result.arms.map((a) => ({ name: a.name, dir: a.runDir }))];
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
  const plots: { file: string; title: string; svg: string }[] = [
    { file: "action-loss.png", title: "Action loss (MSE, normalized) per arm", svg: lineChartSvg(series((l) => l.actionLoss, (n) => !n.startsWith("pretrain")), { title: "action head loss", xLabel: "step", yLabel: "MSE", logY: true }) },
    { file: "text-loss.png", title: "Text loss per phase", svg: lineChartSvg(series((l) => l.textLoss), { title: "text head loss", xLabel: "step", yLabel: "cross-entropy", logY: true }) },
    {
      file: "vqa-accuracy.png",
      title: "VQA exact-match accuracy before and after fine-tuning",
      svg: barChartSvg(
        result.arms.map((a) => ({ label: a.name, values: [{ name: "before (pretrained)", value: result.before.vqaAccuracy ?? 0 }, { name: "after", value: a.measures.vqaAccuracy ?? 0 }] })),
        { title: "VQA accuracy per arm", yLabel: "exact match" },
      ),
    },
    { file: "mixture.png", title: "Achieved web share of the rows seen so far", svg: lineChartSvg(metrics.filter((m) => !m.name.startsWith("pretrain")).map((m) => ({ name: m.name, points: cumulativeWeb(trainLines(m.lines)) })), { title: "achieved mixture (web share, cumulative)", xLabel: "step", yLabel: "web share" }) },
  ];
  for (const p of plots) await svgToPng(p.svg, join(out, p.file));
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>cotrain demo: co-training vs robot-only fine-tuning</title>
<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 1em}pre{background:#f6f6f6;padding:1em;overflow:auto}img{max-width:100%;border:1px solid #ddd}</style></head>
<body>
<h1>Co-training vs robot-only fine-tuning</h1>
<p>A small VLA was first trained on VQA only (standing in for a pretrained VLM), then fine-tuned from that checkpoint with the same steps and seed on
robot data only and on exact 1:1 robot:web batches. Action MSE is on held-out episodes (normalized actions); VQA accuracy is greedy exact match on
held-out questions; the zero-shot split's instructions name objects by category ("the red fruit"), which only the web data explains.</p>
<pre>${escapeHtml(resultTable(result))}</pre>
<p>Backend: ${escapeHtml(result.backend)}; wall time ${result.seconds.toFixed(0)} s; command: <code>${escapeHtml(result.command)}</code>.</p>
${plots.map((p) => `<h2>${escapeHtml(p.title)}</h2><img src="${p.file}" alt="${escapeHtml(p.title)}">`).join("\n")}
<h2>Runs</h2><ul>${runs.map((r) => `<li>${escapeHtml(r.name)}: <code>${escapeHtml(relative(out, r.dir))}/metrics.jsonl</code></li>`).join("")}</ul>
</body></html>
`;
  await writeFile(join(out, "report.html"), html);
  await writeFile(join(out, "results.json"), `${JSON.stringify(result, null, 2)}\n`);
  return ["report.html", "results.json", ...plots.map((p) => p.file)].map((f) => join(out, f));
}
