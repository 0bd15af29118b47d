import { formatTable } from "../text/table.js";
import type { MixPreview } from "./preview-mix.js";

/** Per-batch achieved ratio, then the per-source table of the mixer's stats. */
export function formatMixPreview(preview: MixPreview): string[] {
  const { config, batches, stats } = preview;
  const names = config.sources;
  const lines: string[] = [];
  const weights = names.map((n) => `${n} ${(config.weights[n] ?? 0).toFixed(3)}`).join(", ");
  lines.push(`mixture: ${config.mode}, batch ${config.batchSize}, seed ${JSON.stringify(config.seed)}, stop ${JSON.stringify(config.stop)}, order ${config.order}`);
  lines.push(`weights at step 0: ${weights}${config.schedule.length > 1 ? ` (schedule of ${config.schedule.length} points)` : ""}`, "");
  lines.push(
    ...formatTable(
      ["batch", "rows", ...names.map((n) => `${n} rows (share)`)],
      batches.map((b) => [b.index, b.rows, ...names.map((n) => `${b.counts[n] ?? 0} (${((b.counts[n] ?? 0) / Math.max(1, b.rows)).toFixed(3)})`)]),
    ),
  );
  if (stats.stopped) lines.push(`stopped: ${stats.stopped.reason}${stats.stopped.source ? ` (${stats.stopped.source})` : ""}`);
  lines.push("");
  lines.push(
    ...formatTable(
      ["source", "format", "rows", "share", "target", "weight", "epochs", "skipped"],
      names.map((n) => {
        const s = stats.sources[n];
        const skipped = s?.skipped ? Object.entries(s.skipped).map(([k, v]) => `${k}:${v}`).join(" ") || "0" : "-";
        return [n, preview.inputs[n]?.format ?? "?", s?.delivered ?? 0, s?.share ?? 0, s?.targetShare ?? 0, s?.weight ?? 0, s?.epochs ?? 0, skipped];
      }),
    ),
  );
  lines.push(`${stats.step} batch(es), ${stats.rows} rows`);
  return lines;
}
