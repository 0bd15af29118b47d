import { StateError } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";
import type { StopInfo } from "./stats.js";

/**
 * The mixer's saved state: its own counters (the plan is a pure function of them and the options, so no generator
 * state is needed) and every source's position under `readers`. Small plain JSON: counters and sources' states.
 */
export interface MixerCounters {
  /** Batches yielded over the mixer's life: the schedule's and the generators' step. */
  step: number;
  epoch: number;
  /** Batches and rows yielded in the current epoch (for `stop: {steps}` / `{samples}`). */
  epochStep: number;
  epochRows: number;
  /** Per source: rows delivered (this rank) and the cumulative target, over the mixer's life. */
  delivered: number[];
  targets: number[];
  stopped: StopInfo | null;
  /** Whether the first reads were checked for empty sources. */
  checked: boolean;
}

export interface Identity {
  sources: string[];
  mode: string;
  rank: number;
  worldSize: number;
}

export const STATE_VERSION = 1;

export function parseMixerState(raw: JsonValue, identity: Identity): { counters: MixerCounters; readers: Record<string, JsonValue> } {
  const bad = (what: string): never => {
    throw new StateError("MIX_STATE", `mix.restore: ${what} (state ${JSON.stringify(raw).slice(0, 300)})`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return bad("the state must be an object");
  if (raw.version !== STATE_VERSION) bad(`unsupported state version ${JSON.stringify(raw.version)}, expected ${STATE_VERSION}`);
  const want = JSON.stringify(identity);
  const have = JSON.stringify({ sources: raw.sources, mode: raw.mode, rank: raw.rank, worldSize: raw.worldSize });
  if (want !== have) bad(`the state was saved by a mixer with ${have}, this one has ${want}`);
  const n = identity.sources.length;
  const count = (v: JsonValue | undefined): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0;
  for (const key of ["step", "epoch", "epochStep", "epochRows"]) if (!count(raw[key])) bad(`state.${key} must be a count`);
  const list = (key: string, ok: (v: JsonValue) => boolean): number[] => {
    const v = raw[key];
    if (!Array.isArray(v) || v.length !== n || !v.every(ok)) bad(`state.${key} must hold ${n} numbers`);
    return v as number[];
  };
  const delivered = list("delivered", count);
  const targets = list("targets", (v) => typeof v === "number" && Number.isFinite(v) && v >= 0);
  const stopped = raw.stopped ?? null;
  if (stopped !== null && (typeof stopped !== "object" || Array.isArray(stopped) || typeof stopped.reason !== "string")) bad("state.stopped must be null or {reason}");
  if (typeof raw.checked !== "boolean") bad("state.checked must be a boolean");
  const readers = raw.readers;
  if (typeof readers !== "object" || readers === null || Array.isArray(readers) || !identity.sources.every((s) => s in readers)) bad("state.readers must hold every source");
  return {
    counters: {
      step: raw.step as number,
      epoch: raw.epoch as number,
      epochStep: raw.epochStep as number,
      epochRows: raw.epochRows as number,
      delivered: [...delivered],
      targets: [...targets],
      stopped: stopped as unknown as StopInfo | null,
      checked: raw.checked as boolean,
    },
    readers: readers as Record<string, JsonValue>,
  };
}
