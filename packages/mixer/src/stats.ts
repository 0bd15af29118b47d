/** Per-source accounting, cumulative over the mixer's life (a restored mixer continues the counts). */
export interface SourceStats {
  /** Rows this mixer (this rank) delivered from the source. */
  delivered: number;
  /** delivered / all rows delivered. */
  share: number;
  /** The cumulative target share: the weights integrated over the rows delivered so far. */
  targetShare: number;
  /** The normalized weight at the current step. */
  weight: number;
  /** Complete passes through the source (ends of epoch reached and passed). */
  epochs: number;
  /** The source's current epoch number (what it was last reset with). */
  epoch: number;
  /** Rows consumed in the current epoch (with worldSize > 1: by all ranks together). */
  position: number;
  /** The source's own skip counts by reason, when it exposes `skipped()` (includes rows read ahead). */
  skipped: Record<string, number> | null;
}

export interface MixStats {
  /** Batches yielded over the mixer's life (the step the schedule is evaluated at). */
  step: number;
  /** The mixer's epoch (what `reset` was last called with). */
  epoch: number;
  /** Rows yielded over the mixer's life. */
  rows: number;
  /** Why the current epoch ended, or null while it runs. */
  stopped: StopInfo | null;
  sources: Record<string, SourceStats>;
}

export interface StopInfo {
  reason: "first_exhausted" | "all_exhausted" | "samples" | "steps";
  /** The source that could not fill its share (first_exhausted). */
  source?: string;
}
