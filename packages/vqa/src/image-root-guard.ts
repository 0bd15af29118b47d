import { lstat, realpath } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { isRemote } from "@cotrain/core";
import { REMEMBERED_DIRECTORIES, outsideRealRoot } from "./root-check.js";

/** What the guard found for one path. */
export interface GuardedPath {
  /** The real path it leads to when that lies outside the root, else null. */
  outside: string | null;
  /** The file's size, when the guard's lstat already saw a regular file (so the read need not stat it again). */
  size?: number;
}


/**
 * Keeps image reads inside the image root through symlinks too: resolveImagePath refuses `..` and absolute paths
 * as written, but a dataset (an archive from anywhere) may hold a symlink inside the root that points out of it,
 * e.g. `images/coco/1.jpg -> ~/.ssh/id_rsa`, whose bytes would then travel into the rows and any shard written
 * from them. So each file's real path (every symlink followed) must lie inside the root's real path. The root may
 * itself be a symlink (that is where it really is); a path that does not exist is left to the read, which names
 * it. URLs have no symlinks and are not checked.
 *
 * Cost: one lstat per file, which the read then uses as its size, and one realpath per directory. A file that is
 * not a symlink really lies in its directory's real path, so only symlinked files need a realpath of their own
 * (resolving every file did cost the LLaVA reader a tenth of its time). A directory's real path is remembered for
 * the reader's life: the guard is against what a dataset holds, not against someone swapping folders for links
 * while it is read (the per-file check had that same window between check and read).
 */
export class ImageRootGuard {
  private realRoot: Promise<string | null> | null = null;
  private readonly directories = new Map<string, Promise<string | null>>();

  constructor(private readonly root: string) {}

  /** Per path, in order: whether it leads outside the root, and its size when known. */
  async inspect(paths: readonly string[]): Promise<GuardedPath[]> {
    if (paths.length === 0 || isRemote(this.root)) return paths.map(() => ({ outside: null }));
    this.realRoot ??= realpath(this.root).catch(() => null);
    const root = await this.realRoot;
    if (root === null) return paths.map(() => ({ outside: null })); // no root: every read fails and names its file
    const outsideRoot = (real: string | null): string | null => outsideRealRoot(root, real);
    return Promise.all(
      paths.map(async (path): Promise<GuardedPath> => {
        const stats = await lstat(path).catch(() => null);
        if (stats === null) return { outside: null }; // missing or unreadable: the read names it
        if (stats.isSymbolicLink()) return { outside: outsideRoot(await realpath(path).catch(() => null)) };
        const directory = await this.realDirectory(dirname(path));
        const outside = outsideRoot(directory === null ? null : join(directory, basename(path)));
        return stats.isFile() ? { outside, size: stats.size } : { outside };
      }),
    );
  }

  private realDirectory(directory: string): Promise<string | null> {
    let real = this.directories.get(directory);
    if (real === undefined) {
      if (this.directories.size >= REMEMBERED_DIRECTORIES) this.directories.clear();
      real = realpath(directory).catch(() => null);
      this.directories.set(directory, real);
    }
    return real;
  }
}
