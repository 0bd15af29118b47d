import type { Batch } from "../batch.js";
import type { CollatorStats } from "../stats.js";
import type { WireError } from "./wire.js";

/** Main thread → worker: one batch to collate. */
export interface JobMessage {
  seq: number;
  /** The rows as Arrow IPC bytes: in shared slot `slot` (its buffer sent the first time, or when it grew), or moved here. */
  rows: { slot: number; length: number; buffer?: SharedArrayBuffer } | { bytes: Uint8Array };
  epoch: number;
  sourceNames: string[];
  /** Write the pixels into shared slot `slot` (its buffer is sent the first time this worker sees it). */
  pixels?: { slot: number; floats: number; buffer?: SharedArrayBuffer };
}

/** Worker → main thread: the collated batch and its counters, or the error. */
export type ResultMessage = { seq: number; batch: Batch; stats: CollatorStats; inSlot: boolean; error?: undefined } | { seq: number; error: WireError };
