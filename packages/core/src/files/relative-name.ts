import { FormatError } from "../errors.js";
import type { ErrorLocation } from "../errors.js";

/**
 * Checks a file name that data gives relative to its own folder (a manifest's shard, a TFDS shard template, a
 * LeRobot data path) and returns it: it must be non-empty, relative (no leading `/` or `\`, no drive letter), free
 * of NUL, and have no `.` or `..` segment, so that joined to the folder it names a file inside it, and no segment
 * longer than 255 bytes. The check is on
 * the name as written (the same for a local folder and a URL); `allowFolders: false` also refuses any separator.
 * Raises FormatError with `code`, naming `where`.
 */
export function relativeName(name: string, where: ErrorLocation, code: string, options: { allowFolders?: boolean } = {}): string {
  const bad = (why: string): never => {
    throw new FormatError(code, `${JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name)} ${why}`, where);
  };
  if (name === "") bad("is empty; a file name is needed");
  if (name.includes("\0")) bad("holds a NUL byte");
  if (/^[/\\]/.test(name) || /^[A-Za-z]:/.test(name)) bad("is absolute; it must name a file inside the folder");
  const segments = name.split(/[/\\]/);
  if (options.allowFolders === false && segments.length > 1) bad("holds a path separator; it must be a file name in the folder");
  if (segments.some((s) => s === ".." || s === ".")) bad("has a . or .. segment; it must name a file inside the folder");
  if (segments.some((s) => s === "")) bad("has an empty path segment");
  // NAME_MAX of every common file system: a longer name cannot exist, and opening it fails as ENAMETOOLONG.
  if (segments.some((s) => Buffer.byteLength(s) > 255)) bad("has a path segment longer than 255 bytes, which no file system holds");
  return name;
}
