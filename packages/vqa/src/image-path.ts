import { isAbsolute, relative, resolve, sep, win32 } from "node:path";
import { ValueError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";

/**
 * Resolves an image path from the data against the image root, refusing anything that would leave the root: an
 * absolute path (POSIX or Windows style), or `..` segments that climb above it. The check is lexical, on the
 * path as written: a symlink placed inside the root by its owner (COCO is often linked in) is followed, since
 * the owner put it there; a path in the data cannot name a file outside.
 */
export function resolveImagePath(root: string, path: string, where: ErrorLocation): string {
  if (path === "" || path.includes("\0")) throw new ValueError("VQA_IMAGE_PATH_INVALID", `image path ${JSON.stringify(path)} is empty or holds a NUL byte`, where);
  if (isAbsolute(path) || win32.isAbsolute(path)) {
    throw new ValueError("VQA_IMAGE_OUTSIDE_ROOT", `image path ${JSON.stringify(path)} is absolute; image paths must be relative to the image root`, where);
  }
  const full = resolve(root, path);
  const rel = relative(resolve(root), full);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new ValueError("VQA_IMAGE_OUTSIDE_ROOT", `image path ${JSON.stringify(path)} leaves the image root ${JSON.stringify(root)}`, where);
  }
  return full;
}
