import type { RecordBatch } from "apache-arrow";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * A small stateful iterator over canonical RecordBatches (in the spirit of torchdata.nodes).
 *
 * - `next()` yields the next batch, or null at the end of the current epoch.
 * - `state()` is a small JSON value (seeds, counters, file offsets, never data). It may be called between any two
 *   `next()` calls; restoring it into a fresh source built with the same options, in any process, yields exactly
 *   the batches that would have followed.
 * - `restore(state)` is synchronous; sources apply it lazily on the next `next()` (file IO happens there).
 * - `reset(epoch)` starts the stream over; sources that shuffle derive the new order from (seed, epoch), so every
 *   epoch has its own order and the same epoch always the same one.
 * - `describe()` prints the pipeline, e.g. `rows(100) -> shuffle(buffer=64, seed=1) -> rebatch(32)`.
 */
export interface Source {
  next(): Promise<RecordBatch | null>;
  state(): JsonValue;
  restore(state: JsonValue): void;
  reset(epoch?: number): void;
  describe(): string;
  /** Releases file handles or workers; sources without any may omit it. */
  close?(): Promise<void>;
}

export function isSource(value: unknown): value is Source {
  const v = value as Partial<Source> | null;
  return typeof v === "object" && v !== null && typeof v.next === "function" && typeof v.state === "function" && typeof v.restore === "function";
}

/** Reads a source to its end (one epoch) and returns every batch. */
export async function collect(source: Source): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for (let b = await source.next(); b !== null; b = await source.next()) out.push(b);
  return out;
}

/** Async iteration over a source's current epoch: `for await (const batch of iterate(source))`. */
export async function* iterate(source: Source): AsyncGenerator<RecordBatch> {
  for (let b = await source.next(); b !== null; b = await source.next()) yield b;
}

/** Reads a required key of a restored state object, with a message that shows the bad state. */
export function stateField<T extends JsonValue>(state: JsonValue, key: string, check: (v: JsonValue) => boolean, owner: string): T {
  if (typeof state !== "object" || state === null || Array.isArray(state) || !(key in state) || !check(state[key] as JsonValue)) {
    throw new TypeError(`${owner}.restore: state.${key} is missing or invalid in ${JSON.stringify(state)}`);
  }
  return state[key] as T;
}

export const isInt = (v: JsonValue): boolean => typeof v === "number" && Number.isInteger(v) && v >= 0;
export const isAny = (): boolean => true;
