/**
 * What the collator has done since it was created: plain counters, so a training log can show them and a test
 * can check that nothing was cut or emptied silently.
 */
export interface CollatorStats {
  batches: number;
  rows: number;
  robotRows: number;
  vqaRows: number;
  trainedTokens: number;
  /** Rows shortened to `maxLength`, and the tokens removed from them. */
  truncatedRows: number;
  truncatedTokens: number;
  /**
   * Rows that ended with no trained text token, by reason: "robot_text_off" (robot row whose text is not a
   * target and whose actions are not tokens: expected), "no_answer" (no assistant turn to learn from),
   * "truncated" (its answers were cut off by maxLength).
   */
  rowsWithoutTrainedTokens: Record<string, number>;
  /** Rows with no image at all (their pixels are zeros, `hasImage` 0). */
  rowsWithoutImage: number;
  /** Camera slots zero-filled because the row lacked that camera (stacked cameras). */
  missingCameras: Record<string, number>;
  /** Images a row held beyond what the camera option uses (ignored). */
  unusedImages: number;
  /** Text tokens that fell inside the action token range (textCollision "count"). */
  textIdsInActionRange: number;
}

export function emptyStats(): CollatorStats {
  return {
    batches: 0,
    rows: 0,
    robotRows: 0,
    vqaRows: 0,
    trainedTokens: 0,
    truncatedRows: 0,
    truncatedTokens: 0,
    rowsWithoutTrainedTokens: {},
    rowsWithoutImage: 0,
    missingCameras: {},
    unusedImages: 0,
    textIdsInActionRange: 0,
  };
}

export function bump(counter: Record<string, number>, key: string, by = 1): void {
  counter[key] = (counter[key] ?? 0) + by;
}

/** Adds one batch's counters (`delta`) to a running total, in place. */
export function addStats(total: CollatorStats, delta: CollatorStats): void {
  for (const key of Object.keys(delta) as (keyof CollatorStats)[]) {
    const v = delta[key];
    if (typeof v === "number") (total[key] as number) += v;
    else for (const [k, n] of Object.entries(v)) bump(total[key] as Record<string, number>, k, n);
  }
}
