import { IGNORE_INDEX } from "./batch.js";
import type { RowTokens } from "./masking.js";

export interface PaddingOptions {
  /** "longest": pad to the longest row of the batch; "max": always to `maxLength`. */
  padding: "longest" | "max";
  maxLength: number | null;
  /** Round the padded length up to a multiple of this (fewer distinct shapes for compiled backends). */
  multipleOf: number;
  padId: number;
}

export interface Packed {
  seqLen: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  labels: Int32Array;
  trainedPerRow: Int32Array;
  numTrainedTokens: number;
}

/** Right-pads rows into [B, T] arrays: pad id, attention 0 and label IGNORE_INDEX after each row's end. */
export function packRows(rows: readonly RowTokens[], options: PaddingOptions): Packed {
  let longest = 0;
  for (const r of rows) longest = Math.max(longest, r.ids.length);
  let seqLen = options.padding === "max" && options.maxLength !== null ? options.maxLength : longest;
  seqLen = Math.ceil(seqLen / options.multipleOf) * options.multipleOf;
  const b = rows.length;
  const inputIds = new Int32Array(b * seqLen).fill(options.padId);
  const attentionMask = new Int32Array(b * seqLen);
  const labels = new Int32Array(b * seqLen).fill(IGNORE_INDEX);
  const trainedPerRow = new Int32Array(b);
  let numTrainedTokens = 0;
  rows.forEach((r, i) => {
    const base = i * seqLen;
    inputIds.set(r.ids, base);
    labels.set(r.labels, base);
    attentionMask.fill(1, base, base + r.ids.length);
    let trained = 0;
    for (const l of r.labels) if (l !== IGNORE_INDEX) trained++;
    trainedPerRow[i] = trained;
    numTrainedTokens += trained;
  });
  return { seqLen, inputIds, attentionMask, labels, trainedPerRow, numTrainedTokens };
}
