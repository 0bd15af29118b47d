import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import type { SyncImageRootGuard } from "./sync-guard.js";

/** A Node error as it crosses threads (structured clone keeps only an Error's message and stack). */
export interface WireFsError {
  message: string;
  code?: string | undefined;
  errno?: number | undefined;
  syscall?: string | undefined;
  path?: string | undefined;
}

/** One file's outcome: a slice of the batch buffer, bytes of its own (it shrank while read), a refusal, or an error. */
export type FileOutcome = { offset: number; length: number } | { own: Uint8Array } | { outside: string } | { error: WireFsError };

/**
 * readFilesContiguous's work (read-files.ts) done with blocking calls: each path is checked by the guard (whose
 * lstat gives the size) or stat'ed, then the files are read in order into consecutive slices of the buffer that
 * `bufferFor(total)` gives, each opened, read and closed before the next (no descriptor outlives its read). A file
 * that shrank since it was sized is read again whole into bytes of its own; one that grew is read up to that size,
 * which the header check then sees as a cut-off image, as on the async path.
 */
export function readFilesSync(paths: readonly string[], guard: SyncImageRootGuard | null, bufferFor: (total: number) => ArrayBufferLike): { total: number; outcomes: FileOutcome[] } {
  const sizes = paths.map((path): number | FileOutcome => {
    let size: number | undefined;
    if (guard !== null) {
      const checked = guard.inspect(path);
      if (checked.outside !== null) return { outside: checked.outside };
      size = checked.size;
    }
    try {
      return size ?? statSync(path).size;
    } catch (error) {
      return { error: toWire(error) };
    }
  });
  let total = 0;
  for (const size of sizes) if (typeof size === "number") total += size;
  const buffer = bufferFor(total);
  let offset = 0;
  const outcomes = paths.map((path, i): FileOutcome => {
    const size = sizes[i] as number | FileOutcome;
    if (typeof size !== "number") return size;
    const at = offset;
    offset += size;
    try {
      return readInto(path, new Uint8Array(buffer, at, size)) ? { offset: at, length: size } : { own: new Uint8Array(readFileSync(path)) };
    } catch (error) {
      return { error: toWire(error) };
    }
  });
  return { total, outcomes };
}

/** Fills `slice` from the start of the file; false when the file ended first (it shrank). */
function readInto(path: string, slice: Uint8Array): boolean {
  const fd = openSync(path, "r");
  try {
    let done = 0;
    while (done < slice.length) {
      const n = readSync(fd, slice, done, slice.length - done, done);
      if (n === 0) return false;
      done += n;
    }
    return true;
  } finally {
    closeSync(fd);
  }
}

function toWire(error: unknown): WireFsError {
  const e = error as NodeJS.ErrnoException;
  return { message: String(e?.message ?? error), code: e?.code, errno: e?.errno, syscall: e?.syscall, path: e?.path };
}

/** The error as Node made it in the file thread: an Error with its code, errno, syscall and path. */
export function fsErrorFromWire(wire: WireFsError): NodeJS.ErrnoException {
  const error = new Error(wire.message) as NodeJS.ErrnoException;
  for (const key of ["code", "errno", "syscall", "path"] as const) if (wire[key] !== undefined) Object.assign(error, { [key]: wire[key] });
  return error;
}
