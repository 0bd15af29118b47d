import { existsSync, readdirSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Source } from "@cotrain/core";

/** Open file descriptors of this process (Linux /proc/self/fd), or null where they cannot be counted. */
export function openFdCount(): number | null {
  if (!existsSync("/proc/self/fd")) return null;
  return readdirSync("/proc/self/fd").length; // the directory's own descriptor is counted every time alike
}

let gcFunction: (() => void) | null = null;

/**
 * A full garbage collection. Tests run without --expose-gc, so the flag is set at run time and `gc` taken from a
 * fresh context (the only place V8 installs it after startup); this is what the benchmarks' heap samplers do.
 */
function collectGarbage(): void {
  if (gcFunction === null) {
    setFlagsFromString("--expose-gc");
    gcFunction = runInNewContext("gc") as () => void;
  }
  gcFunction();
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface HandleReport {
  /** Descriptors open after reading one batch, beyond those open before the source was made. */
  heldWhileReading: number | null;
  /** The same after `close()` was called twice (it must be idempotent). */
  leftAfterClose: number | null;
  /** The same after a source that read one batch was dropped unclosed and garbage collection ran. */
  leftAfterAbandon: number | null;
  /** Warnings about handles closed by the garbage collector (DEP0137 and "Closing file descriptor N on …"). */
  gcWarnings: string[];
}

/**
 * The handle check every reader's tests call. It reads one batch from a fresh source three times: closing it (the
 * first time as a warm-up, so lazily opened libraries are not counted), closing it while counting the
 * descriptors, and dropping every reference to it without `close()`, then forcing garbage collection until the
 * descriptors are back (or `rounds` collections have run). Node reports a FileHandle closed by the collector
 * with a warning (DEP0137, once per process, so keep one such check per test file's process).
 *
 * `open` must not keep the source reachable (no caching in the caller's scope).
 */
export async function checkHandles(open: () => Promise<Source> | Source, rounds = 30): Promise<HandleReport> {
  const gcWarnings: string[] = [];
  const onWarning = (warning: Error & { code?: string }): void => {
    if (warning.code === "DEP0137" || /garbage collection/i.test(warning.message)) gcWarnings.push(`${warning.code ?? warning.name}: ${warning.message}`);
  };
  process.on("warning", onWarning);
  try {
    const warm = await open();
    await warm.next();
    await warm.close?.();

    const before = openFdCount();
    const source = await open();
    if ((await source.next()) === null) throw new Error("checkHandles: the source yielded no batch; the check needs data");
    const reading = openFdCount();
    await source.close?.();
    await source.close?.();
    const closed = openFdCount();

    await readOneAndDrop(open);
    let after = openFdCount();
    for (let round = 0; round < rounds && (round < 3 || (after !== null && before !== null && after > before)); round++) {
      collectGarbage();
      await turn();
      await sleep(5);
      after = openFdCount();
    }
    await turn(); // warnings are emitted on a later tick than the collection
    const diff = (n: number | null): number | null => (n === null || before === null ? null : n - before);
    return { heldWhileReading: diff(reading), leftAfterClose: diff(closed), leftAfterAbandon: diff(after), gcWarnings };
  } finally {
    process.off("warning", onWarning);
  }
}

/** In its own frame, so nothing of the source outlives the call. */
async function readOneAndDrop(open: () => Promise<Source> | Source): Promise<void> {
  const source = await open();
  await source.next();
}
