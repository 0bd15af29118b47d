import { lstatSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { REMEMBERED_DIRECTORIES, outsideRealRoot } from "../root-check.js";
import type { GuardedPath } from "../image-root-guard.js";

/**
 * ImageRootGuard's check (see there: one lstat per file, one realpath per directory, remembered) made with
 * synchronous calls, for the file thread, where a blocking call costs nothing but that thread's time.
 */
export class SyncImageRootGuard {
  private readonly realRoot: string | null;
  private readonly directories = new Map<string, string | null>();

  constructor(root: string) {
    this.realRoot = realOrNull(root);
  }

  inspect(path: string): GuardedPath {
    const root = this.realRoot;
    if (root === null) return { outside: null }; // no root: every read fails and names its file
    let stats;
    try {
      stats = lstatSync(path);
    } catch {
      return { outside: null }; // missing or unreadable: the read names it
    }
    if (stats.isSymbolicLink()) return { outside: outsideRealRoot(root, realOrNull(path)) };
    const directory = this.realDirectory(dirname(path));
    const outside = outsideRealRoot(root, directory === null ? null : join(directory, basename(path)));
    return stats.isFile() ? { outside, size: stats.size } : { outside };
  }

  private realDirectory(directory: string): string | null {
    let real = this.directories.get(directory);
    if (real === undefined) {
      if (this.directories.size >= REMEMBERED_DIRECTORIES) this.directories.clear();
      real = realOrNull(directory);
      this.directories.set(directory, real);
    }
    return real;
  }
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
}
