import { isAbsolute, posix, relative, resolve, sep, win32 } from "node:path";
import { ValueError, isRemote, joinLocation } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";

/**
 * Resolves an image path from the data against the image root, refusing anything that would leave the root: an
 * absolute path (POSIX or Windows style), or `..` segments that climb above it. The check is lexical, on the
 * path as written; symlinks inside the root that lead out of it are refused when the file is read (see
 * ImageRootGuard), unless the reader is told to follow them (`allowSymlinksOutsideRoot`, for a folder its owner
 * linked in, such as COCO). A URL root (http(s)://, s3://) gets the same
 * checks on the path's `/` segments, and the image's URL is the root's with the segments appended (percent-encoded).
 */
export function resolveImagePath(root: string, path: string, where: ErrorLocation): string {
  if (path === "" || path.includes("\0")) throw new ValueError("VQA_IMAGE_PATH_INVALID", `image path ${JSON.stringify(path)} is empty or holds a NUL byte`, where);
  if (isAbsolute(path) || win32.isAbsolute(path)) {
    throw new ValueError("VQA_IMAGE_OUTSIDE_ROOT", `image path ${JSON.stringify(path)} is absolute; image paths must be relative to the image root`, where);
  }
  if (isRemote(root)) {
    const normal = posix.normalize(path);
    if (normal === "." || normal === ".." || normal.startsWith("../")) {
      throw new ValueError("VQA_IMAGE_OUTSIDE_ROOT", `image path ${JSON.stringify(path)} leaves the image root ${JSON.stringify(root)}`, where);
    }
    return joinLocation(root, normal);
  }
  const full = resolve(root, path);
  const rel = relative(resolve(root), full);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new ValueError("VQA_IMAGE_OUTSIDE_ROOT", `image path ${JSON.stringify(path)} leaves the image root ${JSON.stringify(root)}`, where);
  }
  return full;
}
