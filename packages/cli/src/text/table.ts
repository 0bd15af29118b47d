/** Plain-text table with columns padded to their widest cell; numbers are right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const cells = [header.map(String), ...rows.map((r) => r.map((c) => (typeof c === "number" ? formatNumber(c) : c)))];
  const numeric = header.map((_, j) => rows.length > 0 && rows.every((r) => typeof r[j] === "number"));
  const widths = header.map((_, j) => Math.max(...cells.map((r) => (r[j] ?? "").length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, j) => (numeric[j] ? c.padStart(widths[j] as number) : c.padEnd(widths[j] as number)))
      .join("  ")
      .trimEnd();
  return [line(cells[0] as string[]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)];
}

/** Integers as they are; other numbers to 4 significant digits. */
export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/** A list of numbers, shortened to the first `max` with a count of the rest. */
export function formatVector(values: readonly number[], max = 8): string {
  const shown = values.slice(0, max).map((v) => (Number.isInteger(v) ? String(v) : v.toFixed(3)));
  return `[${shown.join(", ")}${values.length > max ? `, … ${values.length - max} more` : ""}]`;
}

/** A string quoted as JSON, cut to `max` characters. */
export function quote(text: string, max = 160): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
