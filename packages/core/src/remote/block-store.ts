import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { RemoteStats } from "./remote-stats.js";

/** A block's name: the sha256 of what identifies its bytes (the file's location, version and size, and the range). */
export function blockKey(location: string, validator: string | null, size: number, start: number, end: number): string {
  return createHash("sha256").update(`${location}\n${validator ?? ""}\n${size}\n${start}-${end}`).digest("hex");
}

/** Temp files older than this are the leftovers of a killed process, removed by the next eviction scan. */
const STALE_TEMP_MS = 60 * 60 * 1000;
/** An eviction pass frees down to this fraction of the limit, so that it does not run again at the next block. */
const LOW_WATER = 0.9;

/**
 * The on-disk cache: one file per block under `dir/blocks/<2 hex>/<sha256>` (and whole-file copies under `dir/files/`), written to a unique temp name and
 * renamed, so a block that is there is whole (a crash leaves only `*.tmp-*` files, which are never read and are
 * swept later); a block whose size is not the expected one is taken as damaged, deleted and fetched again. Reading
 * a block sets its modification time, which is the "last used" time of the LRU eviction: when the blocks this
 * process knows of pass `maxBytes`, one scan lists the folder and deletes the least recently used until the cache
 * is under 90% of the limit. Several processes may share a folder: names are content keys, writes are atomic, and
 * a block deleted under another reader is simply fetched again.
 */
export class BlockStore {
  /** Bytes in the folder as of the last scan plus what this process wrote since; null before the first scan. */
  private known: number | null = null;
  private evicting: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly stats: RemoteStats,
  ) {}

  pathOf(key: string): string {
    return join(this.dir, "blocks", key.slice(0, 2), key);
  }

  /** Where a whole-file copy lives (`files/<sha256><ext>`; the extension lets tools that go by it recognize the file). */
  filePathOf(key: string, ext: string): string {
    return join(this.dir, "files", `${key}${/^\.[A-Za-z0-9]{1,8}$/.test(ext) ? ext : ""}`);
  }

  /** The block's bytes when it is cached whole, else null. */
  async get(key: string, length: number): Promise<Uint8Array | null> {
    const path = this.pathOf(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return null;
    }
    if (bytes.length !== length) {
      await rm(path, { force: true });
      return null;
    }
    const now = new Date();
    await utimes(path, now, now).catch(() => undefined);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Stores a block atomically, then evicts if the cache grew past its limit. */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.putFile(this.pathOf(key), (tmp) => writeFile(tmp, bytes));
  }

  /** Writes a cache file through `write(tmp)` and renames it into place, then evicts if the cache grew past its limit. */
  async putFile(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
    await mkdir(join(path, ".."), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    let size: number;
    try {
      await write(tmp);
      size = (await stat(tmp)).size;
      await rename(tmp, path);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    if (this.known === null) await this.scan(false);
    else this.known += size;
    if ((this.known ?? 0) > this.maxBytes) await this.evict();
  }

  /** Bytes the cache holds (one scan of the folder). */
  async size(): Promise<number> {
    await this.scan(false);
    return this.known ?? 0;
  }

  private evict(): Promise<void> {
    this.evicting ??= this.scan(true).finally(() => (this.evicting = null));
    return this.evicting;
  }

  /** Lists every block (and sweeps stale temp files); with `evict`, deletes least recently used blocks down to the low-water mark. */
  private async scan(evict: boolean): Promise<void> {
    const files: { path: string; size: number; used: number }[] = [];
    const paths: string[] = [];
    for (const folder of ["blocks", "files"]) {
      const root = join(this.dir, folder);
      const names = await readdir(root, { recursive: true }).catch(() => [] as string[]);
      paths.push(...names.map((name) => join(root, name)));
    }
    const now = Date.now();
    for (const path of paths) {
      const info = await stat(path).catch(() => null);
      if (info === null || !info.isFile()) continue;
      if (path.includes(".tmp-")) {
        if (now - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
        continue;
      }
      files.push({ path, size: info.size, used: info.mtimeMs });
    }
    let total = files.reduce((n, f) => n + f.size, 0);
    if (evict && total > this.maxBytes) {
      files.sort((a, b) => a.used - b.used);
      for (const file of files) {
        if (total <= this.maxBytes * LOW_WATER) break;
        await rm(file.path, { force: true });
        total -= file.size;
        this.stats.evictedBlocks++;
        this.stats.evictedBytes += file.size;
      }
    }
    this.known = total;
  }
}
