import { rename, rm } from "node:fs/promises";

/** A temporary sibling name for `path`: a crash leaves `*.tmp-*` files, never a half file under the real name. */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

/** Runs `write(tmp)` and renames the result onto `path` only when it completed; removes the temp file on failure. */
export async function writeAtomically<T>(path: string, write: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = tempPathFor(path);
  try {
    const result = await write(tmp);
    await rename(tmp, path);
    return result;
  } catch (error) {
    await rm(tmp, { force: true, recursive: true });
    throw error;
  }
}
