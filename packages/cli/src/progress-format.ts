/** The pieces of a progress display, as plain functions of counts and seconds (the same on a bar and in a log). */

/** "42s", "3m07s", "1h02m"; "?" when not known (nothing done yet, no total). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Items per second over the whole run so far: three significant digits below 100, whole numbers above; "-" before any time has passed. */
export function formatRate(done: number, seconds: number): string {
  if (!(seconds > 0) || !Number.isFinite(done)) return "-";
  const rate = done / seconds;
  return rate >= 100 ? String(Math.round(rate)) : String(Number(rate.toPrecision(3)));
}

/** Seconds left at the average rate so far; NaN when that cannot be known (no total, nothing done yet). */
export function etaSeconds(done: number, total: number | null, seconds: number): number {
  if (total === null || !(done > 0) || !(seconds > 0)) return Number.NaN;
  return (Math.max(0, total - done) * seconds) / done;
}

export interface ProgressState {
  label: string;
  done: number;
  total: number | null;
  /** What is counted ("rows", "episodes"); "" for plain numbers. */
  unit: string;
  /** Since the start. */
  seconds: number;
  /** What the rate counts when not `done` (rows while the count is episodes), and its unit. */
  rated?: number;
  rateUnit?: string;
  /** Finished: the line ends with the time taken instead of an ETA. */
  finished?: boolean;
  info?: Record<string, string | number>;
}

/**
 * One log line: `convert lerobot: 1200/5000 rows (24%) | 240 rows/s | ETA 16s`, by episodes with a rate in rows
 * `convert rlds: 12/40 episodes (30%) | 240 rows/s | ETA 12s`, or without a total `stats llava: 1200 rows |
 * 240 rows/s | 5s`; finished lines end `| took 21s`.
 */
export function progressLine(p: ProgressState): string {
  const unit = p.unit ? ` ${p.unit}` : "";
  const count = p.total === null ? `${p.done}${unit}` : `${p.done}/${p.total}${unit} (${percent(p.done, p.total)}%)`;
  const rate = `${formatRate(p.rated ?? p.done, p.seconds)} ${(p.rateUnit ?? p.unit) || "items"}/s`;
  const time = p.finished ? `took ${formatDuration(p.seconds)}` : p.total === null ? formatDuration(p.seconds) : `ETA ${formatDuration(etaSeconds(p.done, p.total, p.seconds))}`;
  const info = p.info && Object.keys(p.info).length > 0 ? ` ${formatInfo(p.info)}` : "";
  return `${p.label}: ${count} | ${rate} | ${time}${info}`;
}

export function percent(done: number, total: number): number {
  return total > 0 ? Math.floor((100 * Math.min(done, total)) / total) : 100;
}

export function formatInfo(info: Record<string, string | number>): string {
  return Object.entries(info)
    .map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(4)) : v}`)
    .join(" ");
}
