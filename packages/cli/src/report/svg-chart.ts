/**
 * Small SVG charts for run reports (line charts of metrics over steps, grouped bars), turned into PNG by sharp.
 * Written here rather than pulling in a plotting library: the charts are simple, and nothing may be downloaded at
 * run time (browser-based plotting would need a browser).
 */
export interface Series {
  name: string;
  points: [number, number][];
}

export interface ChartOptions {
  title: string;
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Plot y on a log10 axis (values ≤ 0 are dropped). */
  logY?: boolean;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? step0;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const fmt = (v: number): string => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : String(Number(v.toPrecision(3))));

export function lineChartSvg(series: readonly Series[], options: ChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const m = { left: 64, right: 16, top: 36, bottom: 48 };
  const ty = (v: number): number => (options.logY ? Math.log10(v) : v);
  const pts = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!options.logY || y > 0));
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => ty(y));
  let [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  let [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
  if (y1 - y0 < 1e-12) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  if (x1 - x0 < 1e-12) x1 = x0 + 1;
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const px = (x: number): number => m.left + ((x - x0) / (x1 - x0)) * (width - m.left - m.right);
  const py = (y: number): number => height - m.bottom - ((y - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-family="sans-serif">${escape(options.title)}</text>`);
  for (const t of niceTicks(y0, y1)) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11" font-family="sans-serif">${fmt(options.logY ? 10 ** t : t)}</text>`);
  }
  for (const t of niceTicks(x0, x1)) {
    parts.push(`<text x="${px(t)}" y="${height - m.bottom + 16}" text-anchor="middle" font-size="11" font-family="sans-serif">${fmt(t)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${width - m.left - m.right}" height="${height - m.top - m.bottom}" fill="none" stroke="#888"/>`);
  if (options.xLabel) parts.push(`<text x="${width / 2}" y="${height - 10}" text-anchor="middle" font-size="12" font-family="sans-serif">${escape(options.xLabel)}</text>`);
  if (options.yLabel) parts.push(`<text transform="translate(14 ${height / 2}) rotate(-90)" text-anchor="middle" font-size="12" font-family="sans-serif">${escape(options.yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const valid = s.points.filter(([, y]) => Number.isFinite(y) && (!options.logY || y > 0));
    if (valid.length > 0) {
      const d = valid.map(([x, y], k) => `${k === 0 ? "M" : "L"}${px(x).toFixed(1)},${py(ty(y)).toFixed(1)}`).join("");
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
      if (valid.length === 1) parts.push(`<circle cx="${px(valid[0]![0])}" cy="${py(ty(valid[0]![1]))}" r="3" fill="${color}"/>`);
    }
    parts.push(`<rect x="${m.left + 10}" y="${m.top + 8 + i * 16}" width="12" height="3" fill="${color}"/>`);
    parts.push(`<text x="${m.left + 28}" y="${m.top + 13 + i * 16}" font-size="11" font-family="sans-serif">${escape(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join("")}</svg>`;
}

export interface BarGroup {
  label: string;
  values: { name: string; value: number }[];
}

export function barChartSvg(groups: readonly BarGroup[], options: ChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 360;
  const m = { left: 64, right: 16, top: 36, bottom: 48 };
  const names = [...new Set(groups.flatMap((g) => g.values.map((v) => v.name)))];
  const max = Math.max(1e-9, ...groups.flatMap((g) => g.values.map((v) => v.value)).filter(Number.isFinite));
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const groupW = plotW / Math.max(1, groups.length);
  const barW = (groupW * 0.8) / Math.max(1, names.length);
  const py = (v: number): number => height - m.bottom - (v / (max * 1.1)) * plotH;
  const parts: string[] = [`<rect width="${width}" height="${height}" fill="white"/>`];
  parts.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-family="sans-serif">${escape(options.title)}</text>`);
  for (const t of niceTicks(0, max * 1.1)) {
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${py(t)}" y2="${py(t)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11" font-family="sans-serif">${fmt(t)}</text>`);
  }
  groups.forEach((g, gi) => {
    const gx = m.left + gi * groupW + groupW * 0.1;
    g.values.forEach((v) => {
      const k = names.indexOf(v.name);
      const y = py(Number.isFinite(v.value) ? v.value : 0);
      parts.push(`<rect x="${gx + k * barW}" y="${y}" width="${barW - 2}" height="${height - m.bottom - y}" fill="${PALETTE[k % PALETTE.length]}"/>`);
      parts.push(`<text x="${gx + k * barW + barW / 2}" y="${y - 3}" text-anchor="middle" font-size="10" font-family="sans-serif">${fmt(v.value)}</text>`);
    });
    parts.push(`<text x="${gx + groupW * 0.4}" y="${height - m.bottom + 16}" text-anchor="middle" font-size="11" font-family="sans-serif">${escape(g.label)}</text>`);
  });
  names.forEach((n, i) => {
    parts.push(`<rect x="${width - m.right - 150}" y="${m.top + 6 + i * 16}" width="12" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`);
    parts.push(`<text x="${width - m.right - 132}" y="${m.top + 15 + i * 16}" font-size="11" font-family="sans-serif">${escape(n)}</text>`);
  });
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  if (options.yLabel) parts.push(`<text transform="translate(14 ${height / 2}) rotate(-90)" text-anchor="middle" font-size="12" font-family="sans-serif">${escape(options.yLabel)}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join("")}</svg>`;
}
