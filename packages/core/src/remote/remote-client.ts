import { open, rename, rm, stat, utimes } from "node:fs/promises";
import { extname } from "node:path";
import { MissingError } from "../errors.js";
import { limiter } from "../limiter.js";
import { blockKey, BlockStore } from "./block-store.js";
import { HttpFetcher } from "./http-fetcher.js";
import type { RemoteHead, RequestUrl } from "./http-fetcher.js";
import { RemoteFile } from "./remote-file.js";
import type { BlockLoader } from "./remote-file.js";
import { resolveRemoteOptions } from "./remote-options.js";
import type { RemoteOptions, ResolvedRemoteOptions } from "./remote-options.js";
import { emptyRemoteStats } from "./remote-stats.js";
import type { RemoteStats } from "./remote-stats.js";
import { s3RequestUrl } from "./s3-presigner.js";

const plainUrl: RequestUrl = async (location) => location;

/**
 * Reads remote files (http://, https://, s3://) through an on-disk block cache. A file is known by its HEAD (size
 * and ETag or Last-Modified, asked once per client) and read in blocks of `blockSize` bytes, each one a Range
 * request the first time and a cache file afterwards, named by the sha256 of (location, validator, size, range):
 * a new version of a file on the server has new names, and a restart finds every block finished before it.
 * Concurrent reads of one block, from any RemoteFile of this client, share a single fetch.
 */
export class RemoteClient implements BlockLoader {
  readonly options: ResolvedRemoteOptions;
  private readonly counters: RemoteStats = emptyRemoteStats();
  private readonly store: BlockStore;
  private readonly http: HttpFetcher;
  private readonly s3: HttpFetcher;
  private readonly heads = new Map<string, Promise<RemoteHead>>();
  private readonly inflight = new Map<string, Promise<Uint8Array>>();

  constructor(options: RemoteOptions = {}) {
    this.options = resolveRemoteOptions(options);
    this.store = new BlockStore(this.options.cacheDir, this.options.maxCacheBytes, this.counters);
    const limit = limiter(this.options.concurrency);
    this.http = new HttpFetcher(this.options, this.counters, limit, plainUrl);
    this.s3 = new HttpFetcher(this.options, this.counters, limit, s3RequestUrl(this.options.s3));
  }

  get blockSize(): number {
    return this.options.blockSize;
  }

  get readAhead(): number {
    return this.options.readAhead;
  }

  /** A copy of the counters. */
  stats(): RemoteStats {
    return { ...this.counters, faults: { ...this.counters.faults } };
  }

  resetStats(): void {
    Object.assign(this.counters, emptyRemoteStats());
  }

  /** Size and validator of a remote file: one HEAD per location and client (a failed one is asked again next time). */
  head(location: string): Promise<RemoteHead> {
    let head = this.heads.get(location);
    if (!head) {
      head = this.fetcher(location).head(location);
      this.heads.set(location, head);
      head.catch(() => this.heads.delete(location));
    }
    return head;
  }

  /** Whether the server has the file (false on a 404; other failures are raised). */
  async exists(location: string): Promise<boolean> {
    try {
      await this.head(location);
      return true;
    } catch (error) {
      if (error instanceof MissingError) return false;
      throw error;
    }
  }

  async open(location: string): Promise<RemoteFile> {
    return new RemoteFile(location, await this.head(location), this);
  }

  /** The whole file; a file of one block is returned as that block, without a copy. */
  async readAll(location: string): Promise<Uint8Array> {
    const head = await this.head(location);
    if (head.size <= this.blockSize) return head.size === 0 ? new Uint8Array(0) : this.block(location, head, 0);
    const file = new RemoteFile(location, head, this);
    const bytes = new Uint8Array(head.size);
    await file.read(bytes, 0, head.size, 0);
    await file.close();
    return bytes;
  }

  /**
   * A local file with the remote file's bytes, for tools that take a path (ffmpeg reads LeRobot videos): kept in the
   * cache under `files/`, assembled from the file's blocks (so an interrupted copy resumes from the blocks it had),
   * whose own cache files are then removed so the bytes are not kept twice.
   */
  async localCopy(location: string): Promise<string> {
    const head = await this.head(location);
    const key = blockKey(location, head.validator, head.size, 0, head.size);
    const path = this.store.filePathOf(key, extname(new URL(location).pathname));
    const have = await stat(path).catch(() => null);
    if (have?.size === head.size) {
      const now = new Date();
      await utimes(path, now, now).catch(() => undefined);
      this.counters.cacheHits++;
      return path;
    }
    await this.store.putFile(path, async (tmp) => {
      const handle = await open(tmp, "w");
      try {
        for (let index = 0; index * this.blockSize < head.size; index++) await handle.write(await this.block(location, head, index));
      } finally {
        await handle.close();
      }
    });
    for (let index = 0; index * this.blockSize < head.size; index++) {
      const start = index * this.blockSize;
      await rm(this.store.pathOf(blockKey(location, head.validator, head.size, start, Math.min(head.size, start + this.blockSize))), { force: true });
    }
    return path;
  }

  /** Block `index` of the file: from the cache, from a fetch already under way, or fetched now and cached. */
  block(location: string, head: RemoteHead, index: number): Promise<Uint8Array> {
    const start = index * this.blockSize;
    const end = Math.min(head.size, start + this.blockSize);
    const key = blockKey(location, head.validator, head.size, start, end);
    let block = this.inflight.get(key);
    if (block) return block;
    block = (async () => {
      const cached = await this.store.get(key, end - start);
      if (cached) {
        this.counters.cacheHits++;
        return cached;
      }
      this.counters.cacheMisses++;
      const bytes = new Uint8Array(end - start);
      await this.fetcher(location).getRange(location, head, start, bytes);
      await this.store.put(key, bytes);
      return bytes;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, block);
    return block;
  }

  /** Resolves when no block fetch (read-ahead included) is under way, so counters are final. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.values()]);
  }

  /** Bytes the cache folder holds now. */
  cacheBytes(): Promise<number> {
    return this.store.size();
  }

  private fetcher(location: string): HttpFetcher {
    return /^s3:/i.test(location) ? this.s3 : this.http;
  }
}

let current: RemoteClient | null = null;

/** The client every reader uses for remote locations (created on first use, with defaults and the environment). */
export function remoteClient(): RemoteClient {
  current ??= new RemoteClient();
  return current;
}

/**
 * Replaces the client readers use (a RemoteClient, or options to make one); returns the previous one. For a
 * program that sets the cache folder or the retry policy, and for tests that count what a read fetched.
 */
export function setRemoteClient(client: RemoteClient | RemoteOptions | null): RemoteClient | null {
  const previous = current;
  current = client === null || client instanceof RemoteClient ? client : new RemoteClient(client);
  return previous;
}
