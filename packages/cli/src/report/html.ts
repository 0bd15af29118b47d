/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A table with a header row; cells are text (escaped). */
export function htmlTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (c: string | number, tag: string): string => `<${tag}>${escapeHtml(typeof c === "number" ? formatCell(c) : c)}</${tag}>`;
  return `<table><thead><tr>${header.map((h) => cell(h, "th")).join("")}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => cell(c, "td")).join("")}</tr>`).join("")}</tbody></table>`;
}

function formatCell(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  return Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f4f4f4}
td:first-child,th:first-child{text-align:left}figure{display:inline-block;margin:.5em}figcaption{font-size:.9em;color:#555}
img{max-width:100%;border:1px solid #eee}pre{background:#f7f7f7;padding:.8em;overflow:auto;font-size:.85em}`;

/** A whole self-contained page (styles inline; images by relative path). */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>\n<body>\n<h1>${escapeHtml(title)}</h1>\n${body}\n</body></html>\n`;
}
