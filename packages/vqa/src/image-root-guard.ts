import { realpath } from "node:fs/promises";
import { relative, sep } from "node:path";
import { isRemote } from "@cotrain/core";

/**
 * Keeps image reads inside the image root through symlinks too: resolveImagePath refuses `..` and absolute paths
 * as written, but a dataset (an archive from anywhere) may hold a symlink inside the root that points out of it,
 * e.g. `images/coco/1.jpg -> ~/.ssh/id_rsa`, whose bytes would then travel into the rows and any shard written
 * from them. So each file's real path (every symlink followed) must lie inside the root's real path. The root may
 * itself be a symlink (that is where it really is); a path that does not exist is left to the read, which names
 * it. URLs have no symlinks and are not checked. Cost: one realpath per image file, together for a batch.
 */
export class ImageRootGuard {
  private realRoot: Promise<string | null> | null = null;

  constructor(private readonly root: string) {}

  /** Per path (in order): the real path it leads to when that lies outside the root, else null. */
  async outside(paths: readonly string[]): Promise<(string | null)[]> {
    if (paths.length === 0 || isRemote(this.root)) return paths.map(() => null);
    this.realRoot ??= realpath(this.root).catch(() => null);
    const root = await this.realRoot;
    if (root === null) return paths.map(() => null); // no root: every read fails and names its file
    return Promise.all(
      paths.map(async (path) => {
        const real = await realpath(path).catch(() => null);
        if (real === null) return null;
        const rel = relative(root, real);
        return rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || rel.startsWith(sep) ? real : null;
      }),
    );
  }
}
