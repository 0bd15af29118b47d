import { relative, sep } from "node:path";

// The image root check both guards share (image-root-guard.ts, file-thread/sync-guard.ts). It imports nothing
// else, so the file thread starts without loading @cotrain/core (its first read took 182 ms with it, 40 without).

/** `real` when that real path lies outside the root's real path `root` (or is the root itself), else null. */
export function outsideRealRoot(root: string, real: string | null): string | null {
  if (real === null) return null;
  const rel = relative(root, real);
  return rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || rel.startsWith(sep) ? real : null;
}

/** Directories whose real path is remembered; past this many the memory starts over (one folder per image exists). */
export const REMEMBERED_DIRECTORIES = 4096;
