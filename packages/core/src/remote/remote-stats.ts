/** What a remote client did, counted since it was created (or since `resetStats()`). */
export interface RemoteStats {
  /** HTTP requests sent, HEAD and GET, retries included. */
  requests: number;
  /** Response body bytes received from the network. */
  bytesFetched: number;
  /** Blocks served from the on-disk cache, and blocks that had to be fetched. */
  cacheHits: number;
  cacheMisses: number;
  /** Faults met, by kind: a 5xx/429/408 status, a refused or dropped connection (or a body cut short), a timeout. */
  faults: { status: number; connection: number; timeout: number };
  /** Requests sent again after a fault. */
  retries: number;
  /** Requests that succeeded after one or more faults, and requests that gave up. */
  recovered: number;
  failed: number;
  /** Blocks (and their bytes) removed from the cache to stay under its size limit. */
  evictedBlocks: number;
  evictedBytes: number;
}

export function emptyRemoteStats(): RemoteStats {
  return { requests: 0, bytesFetched: 0, cacheHits: 0, cacheMisses: 0, faults: { status: 0, connection: 0, timeout: 0 }, retries: 0, recovered: 0, failed: 0, evictedBlocks: 0, evictedBytes: 0 };
}
