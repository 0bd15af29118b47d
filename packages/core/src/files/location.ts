import { basename, dirname, join, posix, resolve } from "node:path";

/**
 * A location is what a reader is handed: a local path, or the URL of a remote file or dataset folder
 * (`http://`, `https://`, `s3://bucket/key`). These helpers let readers build the names of the files inside a
 * dataset (`dataset_info.json`, `meta/info.json`, a shard) the same way for both, so a reader never needs to list
 * a remote folder: every format names its files in its own metadata.
 */
const REMOTE = /^(https?|s3):\/\//i;

/** Whether `location` is a URL read through the remote layer rather than a local path. */
export function isRemote(location: string): boolean {
  return REMOTE.test(location);
}

/** An absolute path for a local location (relative to the working directory); a URL as it is. */
export function resolveLocation(location: string): string {
  return isRemote(location) ? location : resolve(location);
}

/**
 * `base` joined with relative `parts` (each may hold `/`). For a URL the parts are appended as path segments, each
 * segment percent-encoded (a file named `a b#1.jpg` is fetched as `a%20b%231.jpg`), after a `/` added to the base's
 * path when it lacks one; `..` segments are resolved lexically and cannot climb above the URL's root.
 */
export function joinLocation(base: string, ...parts: string[]): string {
  if (!isRemote(base)) return join(base, ...parts);
  const url = new URL(base);
  const segments = posix.normalize(posix.join("/", url.pathname.split("/").map(decodeSegment).join("/"), ...parts)).split("/");
  url.pathname = segments.map((s) => encodeURIComponent(s)).join("/");
  return url.toString();
}

/** The location's folder (for a URL, the URL of its path's parent, like `dirname`: no trailing `/`). */
export function parentLocation(location: string): string {
  if (!isRemote(location)) return dirname(location);
  const url = new URL(location);
  url.pathname = url.pathname.replace(/\/+$/, "").replace(/\/[^/]*$/, "") || "/";
  url.search = "";
  url.hash = "";
  return url.toString();
}

/** The last path segment of a location, decoded (`…/bridge-train.tfrecord-00000-of-00004`); a bare host's name. */
export function locationName(location: string): string {
  if (!isRemote(location)) return basename(location);
  const url = new URL(location);
  const segments = url.pathname.split("/").filter((s) => s !== "");
  return segments.length > 0 ? decodeSegment(segments.at(-1) as string) : url.hostname;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
