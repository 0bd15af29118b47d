import { formatVector, quote } from "../text/table.js";
import type { InspectReport } from "./inspect-dataset.js";
import type { SampleView } from "./sample-view.js";

/** The report of `cotrain inspect` as lines of text. */
export function formatInspectReport(report: InspectReport): string[] {
  const lines: string[] = [report.path];
  const width = Math.max(8, ...Object.keys(report.details).map((k) => k.length + 1)) + 1;
  const field = (key: string, value: string): string => `  ${`${key}:`.padEnd(width)}${value}`;
  lines.push(field("format", `${report.format}${report.detected ? " (detected)" : ""}, ${report.kind} data`));
  const bySource = new Map<string, string[]>();
  for (const [name, value] of Object.entries(report.counts)) {
    const from = report.countsFrom[name] ?? "metadata";
    bySource.set(from, [...(bySource.get(from) ?? []), `${value} ${name}`]);
  }
  lines.push(field("counts", [...bySource].map(([from, parts]) => `${parts.join(", ")} (${from})`).join("; ") || "(not counted)"));
  if (report.kinds) lines.push(field("kinds", Object.entries(report.kinds).map(([k, n]) => `${k} ${n}`).join(", ")));
  if (report.sources) lines.push(field("sources", Object.entries(report.sources).map(([k, n]) => `${k} ${n}`).join(", ")));
  for (const [key, value] of Object.entries(report.details)) lines.push(field(key, value));
  lines.push(`features (${report.features.length}):`, ...report.features.map((f) => `  ${f}`));
  if (report.columns.length) lines.push(`columns: ${report.columns.join(", ")}`);
  lines.push(`samples (${report.samples.length}):`);
  report.samples.forEach((s, i) => lines.push(...formatSample(s, i)));
  if (report.previews.length) lines.push(`previews: ${report.previews.length} PNG file(s)`, ...report.previews.map((p) => `  ${p}`));
  return lines;
}

export function formatSample(s: SampleView, index: number): string[] {
  const where = [s.kind];
  if (s.episodeIndex !== null) where.push(`episode ${s.episodeIndex}`);
  if (s.stepIndex !== null) where.push(`step ${s.stepIndex}`);
  if (s.isFirst) where.push("first");
  if (s.isLast) where.push("last");
  const lines = [`  [${index}] ${s.source} ${s.sampleId} (${where.join(", ")})`];
  for (const m of s.messages) lines.push(`      ${m.role}: ${quote(m.content)}`);
  if (s.action) lines.push(`      action [${s.action.length}]: ${formatVector(s.action)}${s.actionIsPad ? ` (chunk of ${s.actionIsPad.length}, pad ${JSON.stringify(s.actionIsPad)})` : ""}`);
  if (s.state) lines.push(`      state [${s.state.length}]: ${formatVector(s.state)}`);
  const images = s.images.map((im) => `${im.camera} ${im.width ?? "?"}×${im.height ?? "?"} ${im.format} (${im.bytes} B)`);
  lines.push(`      images: ${images.length ? images.join(", ") : "none"}`);
  return lines;
}
