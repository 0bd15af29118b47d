import type { ActionLayout, RowAction } from "./layout.js";

export interface FilledActions {
  actions: Float32Array;
  actionShape: number[];
  actionMask: Float32Array;
  actionMaskShape: number[];
  numActionRows: number;
  numActionEntries: number;
}

/**
 * Continuous action targets [B, D] or [B, H, D] and their mask [B] or [B, H]: 1 on each real step of a robot
 * row, 0 on padded chunk steps and on web rows (whose actions stay zeros).
 */
export function fillActions(rows: readonly (RowAction | null)[], layout: ActionLayout, b: number): FilledActions {
  const h = layout.horizon ?? 1;
  const d = layout.dim;
  const actions = new Float32Array(b * h * d);
  const actionMask = new Float32Array(layout.format === "none" ? b : b * h);
  let numActionRows = 0;
  let numActionEntries = 0;
  rows.forEach((row, i) => {
    if (row === null) return;
    actions.set(row.values, i * h * d);
    let any = false;
    row.pad.forEach((pad, step) => {
      if (pad) return;
      actionMask[i * h + step] = 1;
      numActionEntries++;
      any = true;
    });
    if (any) numActionRows++;
  });
  const lead = layout.horizon === null ? [b] : [b, h];
  return { actions, actionShape: [...lead, d], actionMask, actionMaskShape: lead, numActionRows, numActionEntries };
}
