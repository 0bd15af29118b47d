// Parquet VQA tables (written by writeParquetVqa: id, an image {bytes, path} struct, conversations of {from,
// value}): blind byte mutations of the file.
// Oracle: DuckDB reads the mutated file independently; where it does, the expected rows follow from its values by
// the documented mapping (id a non-empty string or an integer, a non-empty list of turns with a known speaker and
// text, text being a string or binary that is strict UTF-8,
// the image's bytes or no image); the reader must yield exactly them or raise (under "skip": a subsequence, each
// row left out counted). Where DuckDB refuses the file, the reader must raise or yield the original rows.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { openParquetVqa, writeParquetVqa } from "@cotrain/vqa";
import { applyByteMutation, byteMutation } from "../lib/bytes.mjs";
import { duckRows } from "../lib/duckdb.mjs";
import { vqaEntries } from "../lib/fixtures.mjs";
import { drain, sha } from "../lib/rows.mjs";
import { SKIPPED } from "../lib/verdict.mjs";

const FILE = "vqa.parquet";
const ROLES = { human: "user", user: "user", gpt: "assistant", assistant: "assistant", system: "system" };

export default {
  name: "parquet-vqa",
  reads: "Parquet VQA tables through openParquetVqa",
  async setup(dir) {
    // One image per entry: the `image` struct layout holds one (multi-image entries need `multiImage`).
    const entries = (await vqaEntries(6)).map((e) => ({ ...e, images: e.images.slice(0, 1) }));
    await writeParquetVqa(join(dir, FILE), entries, { rowGroupSize: 2 });
    return { dir, files: { [FILE]: new Uint8Array(readFileSync(join(dir, FILE))) } };
  },
  arbitrary(ctx) {
    return fc.record({ onError: fc.constantFrom("raise", "skip") }).chain((d) => byteMutation(ctx.files[FILE].length).map((m) => ({ ...d, m })));
  },
  mutate(ctx, d) {
    return { [FILE]: applyByteMutation(ctx.files[FILE], d.m) };
  },
  async read(ctx, d) {
    const source = openParquetVqa(join(ctx.dir, FILE), { batchSize: 2, onError: d?.onError ?? "raise" });
    const rows = await drain(source);
    return { rows, skipped: source.skipped() };
  },
  variantKey: (d) => d.onError,
  judgeSame: true,
  expectError: () => false,
  async judge(ctx, d, _files, output, baseline) {
    const duck = await duckRows(join(ctx.dir, FILE));
    if (duck === null) return JSON.stringify(output) === JSON.stringify(baseline) ? null : "DuckDB refuses the file, yet the reader yielded other rows";
    const expected = duck.map((r) => expectedRow(r, baseline.rows[0].source));
    if (d.onError === "raise") {
      if (expected.some((row) => row === null)) return "the reader yielded rows where an entry must fail";
      return JSON.stringify(output) === JSON.stringify({ rows: expected, skipped: {} }) ? null : `rows differ from DuckDB's reading: got ${JSON.stringify(output.rows).slice(0, 300)}, expected ${JSON.stringify(expected).slice(0, 300)}`;
    }
    let k = 0;
    for (const row of output.rows) {
      const s = JSON.stringify(row);
      while (k < expected.length && JSON.stringify(expected[k]) !== s) k++;
      if (k === expected.length) return `skip mode yielded a row DuckDB's reading does not give: ${s.slice(0, 300)}`;
      k++;
    }
    const counted = Object.values(output.skipped).reduce((s, n) => s + n, 0);
    if (counted < expected.length - output.rows.length) return `left out ${expected.length - output.rows.length} rows but counted ${counted}`;
    return counted === 0 ? null : SKIPPED;
  },
};

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The reader's documented text mapping: a string, or binary (a mutated footer can drop the annotation) that is UTF-8. */
function text(v) {
  if (typeof v === "string") return v;
  if (!(v instanceof Uint8Array)) return null;
  try {
    return strictUtf8.decode(v);
  } catch {
    return null;
  }
}

function expectedRow(r, source) {
  const id = typeof r.id === "number" || typeof r.id === "bigint" ? String(r.id) : text(r.id);
  if (id === null || id === "" || !Array.isArray(r.conversations) || r.conversations.length === 0) return null;
  const messages = [];
  for (const t of r.conversations) {
    const from = t ? text(t.from) : null;
    const value = t ? text(t.value) : null;
    if (from === null || !Object.hasOwn(ROLES, from) || value === null) return null;
    messages.push([ROLES[from], value]);
  }
  const bytes = r.image?.bytes;
  if (r.image !== null && r.image !== undefined && !(bytes instanceof Uint8Array && bytes.length > 0)) return null;
  const images = bytes ? [sha(bytes)] : [];
  return { source, kind: "vqa", sample_id: id, images, cameras: images.map(() => "image"), messages, action: null, action_is_pad: null, state: null, episode_index: null, step_index: null, is_first: null, is_last: null };
}
