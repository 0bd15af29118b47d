import { batchToRows, map, rowsToBatch } from "@cotrain/core";
import type { RowInput, Source } from "@cotrain/core";
import type { Normalizer } from "./normalizer.js";

export interface RowNormalizers {
  action?: Normalizer;
  state?: Normalizer;
}

/** The row with its action (every chunk step) and state normalized; rows without them pass unchanged. */
export function normalizeRow(row: RowInput, normalizers: RowNormalizers): RowInput {
  const { action, state } = normalizers;
  return {
    ...row,
    ...(action && row.action ? { action: action.normalize(row.action) } : {}),
    ...(state && row.state ? { state: state.normalize(row.state) } : {}),
  };
}

/**
 * Any canonical source with normalized actions and states (a pure per-batch map, so it resumes with its parent's
 * state). Readers that take a `normalize` option apply the same function before building their batches.
 */
export function normalizeSource(source: Source, normalizers: RowNormalizers): Source {
  const parts = [normalizers.action && `action ${normalizers.action.describe()}`, normalizers.state && `state ${normalizers.state.describe()}`].filter(Boolean);
  return map(source, (batch) => rowsToBatch(batchToRows(batch).map((row) => normalizeRow(row, normalizers))), `normalize(${parts.join("; ")})`);
}
