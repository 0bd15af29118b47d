import { ConfigError, ValueError } from "@cotrain/core";
import type { CanonicalRow } from "@cotrain/core";
import type { ActionFormat } from "../batch.js";
import { ActionTokenizer } from "./action-tokenizer.js";

/**
 * How robot actions are presented to the model:
 * - continuous: regression targets [B, D] (or chunks [B, H, D] when `horizon` is set);
 * - tokens: ids in the text labels of robot rows (`tokenizer`), the continuous values still filled for metrics;
 * - none: no action targets (robot rows are text only); only when asked for.
 * Left out, a stream without robot rows collates as "none", and the first robot row raises a ConfigError that
 * names the option and the action's size: a default must not train robot rows without their actions unnoticed.
 */
export type ActionsOption =
  | { type: "none" }
  | { type: "continuous"; dim: number; horizon?: number }
  | { type: "tokens"; tokenizer: ActionTokenizer; horizon?: number };

export interface ActionLayout {
  format: ActionFormat;
  dim: number;
  /** Chunk length H, or null for single-step actions. */
  horizon: number | null;
  tokenizer: ActionTokenizer | null;
  /** False when `actions` was left out: robot rows are then refused (see `refuseUnsetActions`). */
  given: boolean;
}

export function resolveActions(o: ActionsOption | undefined): ActionLayout {
  if (o === undefined) return { format: "none", dim: 0, horizon: null, tokenizer: null, given: false };
  if (o === null || typeof o !== "object") throw new ConfigError("ACTIONS_TYPE", `\`actions\` must be an object ({type: "continuous", dim}, {type: "tokens", tokenizer} or {type: "none"}), got ${String(o)}`);
  if (o.type === "none") return { format: "none", dim: 0, horizon: null, tokenizer: null, given: true };
  const horizon = o.horizon ?? null;
  if (horizon !== null && (!Number.isInteger(horizon) || horizon < 1)) throw new ConfigError("ACTIONS_HORIZON", `\`actions.horizon\` must be a positive integer, got ${horizon}`);
  if (o.type === "continuous") {
    if (!Number.isInteger(o.dim) || o.dim < 1) throw new ConfigError("ACTIONS_DIM", `\`actions.dim\` must be a positive integer, got ${o.dim}`);
    return { format: "continuous", dim: o.dim, horizon, tokenizer: null, given: true };
  }
  if (o.type === "tokens") {
    if (!(o.tokenizer instanceof ActionTokenizer)) throw new ConfigError("ACTIONS_TOKENIZER", "`actions.tokenizer` must be an ActionTokenizer (ActionTokenizer.uniform / .quantile)");
    return { format: "tokens", dim: o.tokenizer.dim, horizon, tokenizer: o.tokenizer, given: true };
  }
  throw new ConfigError("ACTIONS_TYPE", `\`actions.type\` must be "none", "continuous" or "tokens", got ${JSON.stringify((o as { type: unknown }).type)}`);
}

/**
 * The error for a robot row met while `actions` was left out. It names the option and the value that fits this
 * row's action (its size, and its chunk length when it holds a chunk), so the fix is one line.
 */
export function refuseUnsetActions(row: CanonicalRow, index: number): ConfigError {
  const where = { row: index, id: row.sample_id, field: "action" };
  const values = row.action;
  const steps = row.action_is_pad?.length ?? 1;
  const fits = values === null || values.length === 0 ? "" : `{type: "continuous", dim: ${values.length / steps}${steps > 1 ? `, horizon: ${steps}` : ""}} fits this row, `;
  return new ConfigError(
    "ACTIONS_UNSET",
    `a robot row reached the collator but \`actions\` is not set, so its action would not be trained: set \`actions\` (${fits}or {type: "tokens", tokenizer}), or {type: "none"} to train robot rows on text only`,
    where,
  );
}

export interface RowAction {
  /** H×D (or D) values. */
  values: Float32Array;
  /** Per chunk step: true where the step is padding (past the episode end). Length H, or 1 for single steps. */
  pad: boolean[];
}

/** A robot row's action checked against the layout; ValueError names the row, sample and field. */
export function readRowAction(row: CanonicalRow, index: number, layout: ActionLayout): RowAction {
  const where = { row: index, id: row.sample_id, field: "action" };
  const values = row.action;
  if (values === null) throw new ValueError("ACTION_MISSING", "robot row has no action", where);
  const steps = layout.horizon ?? 1;
  if (layout.horizon === null && row.action_is_pad !== null && row.action_is_pad.length !== 1) {
    throw new ValueError("ACTION_CHUNKED", `row holds a chunk of ${row.action_is_pad.length} steps but \`actions.horizon\` is not set`, where);
  }
  if (layout.horizon !== null && (row.action_is_pad?.length ?? 1) !== layout.horizon) {
    throw new ValueError("ACTION_HORIZON", `row holds ${row.action_is_pad?.length ?? "an unchunked"} step(s), \`actions.horizon\` is ${layout.horizon}`, { ...where, field: "action_is_pad" });
  }
  if (values.length !== steps * layout.dim) throw new ValueError("ACTION_SHAPE", `action has ${values.length} values, expected ${steps} × ${layout.dim}`, where);
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k] as number)) throw new ValueError("ACTION_NOT_FINITE", `action value ${k} is ${values[k]}`, where);
  }
  return { values, pad: row.action_is_pad ?? [false] };
}
