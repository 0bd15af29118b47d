import { IGNORE_INDEX, KIND_ROBOT } from "./batch.js";
import type { Batch } from "./batch.js";
import type { ActionTokenizer } from "./actions/action-tokenizer.js";
import type { TextTokenizer } from "./tokenizer/types.js";

export interface DescribeOptions {
  tokenizer: TextTokenizer;
  actionTokenizer?: ActionTokenizer | null;
  /** Print padding positions too (default false: the table stops at the last real token). */
  padding?: boolean;
}

/**
 * One row of a batch as text, for the moment masking looks wrong: a header, the sequence as spans of
 * untrained [-] and trained [T] text, then one line per token with its position, id, label, whether it is
 * trained and its decoded piece.
 */
export function describeRow(batch: Batch, row: number, options: DescribeOptions): string {
  if (!Number.isInteger(row) || row < 0 || row >= batch.size) throw new RangeError(`row must be 0..${batch.size - 1}, got ${row}`);
  const t = batch.seqLen;
  const base = row * t;
  let real = 0;
  while (real < t && batch.attentionMask[base + real] === 1) real++;
  const shown = options.padding ? t : real;
  const piece = (id: number): string => pieceOf(id, options);
  const text = (ids: number[]): string => decodeRun(ids, options);

  const kind = batch.kinds[row] === KIND_ROBOT ? "robot" : "vqa";
  const source = batch.sourceNames[batch.sources[row] as number] ?? "?";
  const actionMask = Array.from(batch.actionMask.subarray(row * (batch.actionMask.length / batch.size), (row + 1) * (batch.actionMask.length / batch.size)));
  const lines = [
    `row ${row} of ${batch.size}: ${kind}, source ${JSON.stringify(source)}, sample ${JSON.stringify(batch.sampleIds[row])}`,
    `  ${real} tokens (${t - real} padding), ${batch.trainedPerRow[row]} trained, action mask [${actionMask.join(" ")}], image ${batch.hasImage[row] ? "yes" : "no"}`,
    `  spans: ${spans(batch, base, real, text)}`,
    `  ${"pos".padStart(5)} ${"id".padStart(7)} ${"label".padStart(7)}  train  piece`,
  ];
  for (let i = 0; i < shown; i++) {
    const id = batch.inputIds[base + i] as number;
    const label = batch.labels[base + i] as number;
    const pad = batch.attentionMask[base + i] === 0;
    lines.push(`  ${String(i).padStart(5)} ${String(id).padStart(7)} ${String(label).padStart(7)}  ${label !== IGNORE_INDEX ? "  T  " : "  -  "}  ${pad ? "(pad)" : JSON.stringify(piece(id))}`);
  }
  return lines.join("\n");
}

/** The decoded text of one id: action tokens by bin, special and placeholder tokens by name. */
function pieceOf(id: number, options: DescribeOptions): string {
  const act = options.actionTokenizer;
  if (act && act.isActionId(id)) return act.describeId(id);
  const tok = options.tokenizer;
  if (isNamed(id, options)) return tok.idToToken(id) ?? `<${id}>`;
  const text = tok.decode([id]);
  const raw = tok.idToToken(id) ?? "";
  // A byte-level piece that is half of a UTF-8 character decodes to U+FFFD: show the vocabulary entry instead.
  if (text.includes("\uFFFD")) return raw || text;
  // SentencePiece decoders drop the "▁" of a sequence's first piece; a lone piece is always "first", so put it back.
  return raw.startsWith("\u2581") && !text.startsWith(" ") ? ` ${text}` : text;
}

/** Text of a run of ids: ordinary text decoded together (so multi-byte characters survive), the rest by name. */
function decodeRun(ids: number[], options: DescribeOptions): string {
  let out = "";
  let textIds: number[] = [];
  for (const id of ids) {
    if (isNamed(id, options)) {
      out += options.tokenizer.decode(textIds) + pieceOf(id, options);
      textIds = [];
    } else textIds.push(id);
  }
  return out + options.tokenizer.decode(textIds);
}

function isNamed(id: number, options: DescribeOptions): boolean {
  const tok = options.tokenizer;
  return (options.actionTokenizer?.isActionId(id) ?? false) || id === tok.bosId || id === tok.eosId || id === tok.padId || id === tok.imageId || id >= tok.textIdLimit;
}

/** The row as alternating spans: [-]"untrained text" [T]"trained text". */
function spans(batch: Batch, base: number, real: number, text: (ids: number[]) => string): string {
  const out: string[] = [];
  let i = 0;
  while (i < real) {
    const trained = batch.labels[base + i] !== IGNORE_INDEX;
    const ids: number[] = [];
    while (i < real && (batch.labels[base + i] !== IGNORE_INDEX) === trained) ids.push(batch.inputIds[base + i++] as number);
    out.push(`${trained ? "[T]" : "[-]"}${JSON.stringify(text(ids))}`);
  }
  return out.join(" ");
}
