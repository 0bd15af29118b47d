import { homedir } from "node:os";
import { join } from "node:path";

/** How remote files are fetched and cached. Every field has a default; `undefined` means "use it". */
export interface RemoteOptions {
  /** Cache folder (default `$COTRAIN_CACHE_DIR`, else `$XDG_CACHE_HOME/cotrain/remote`, else `~/.cache/cotrain/remote`). */
  cacheDir?: string;
  /** Cache size limit in bytes; least recently used blocks are evicted past it (default `$COTRAIN_CACHE_MAX_BYTES`, else 20 GiB). */
  maxCacheBytes?: number;
  /** Bytes per cached block, the unit of ranged reads (default 4 MiB). A file no larger is fetched in one request. */
  blockSize?: number;
  /** Blocks fetched ahead of a sequential reader (default 1). */
  readAhead?: number;
  /** Retries of one request after a 5xx/429, a dropped connection or a timeout (default 5). */
  retries?: number;
  /** First backoff delay; doubled per retry, with jitter, up to `maxBackoffMs` (defaults 250 ms, 10 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A request that waits this long for its response or its next body bytes is cut and retried (default 30 s). */
  timeoutMs?: number;
  /** Requests in flight at once per client (default 8). */
  concurrency?: number;
  /** s3:// access; unset fields come from the AWS SDK's own configuration (environment, ~/.aws). */
  s3?: S3Options;
}

export interface S3Options {
  /** e.g. `http://127.0.0.1:9000` for MinIO; `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` are read by the SDK. */
  endpoint?: string;
  region?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which S3-compatible servers need; default: true when an endpoint is set. */
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export type ResolvedRemoteOptions = Required<Omit<RemoteOptions, "s3">> & { s3: S3Options };

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.COTRAIN_CACHE_DIR) return env.COTRAIN_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "cotrain", "remote");
}

function positive(name: string, value: number, integer = true): number {
  if (!(Number.isFinite(value) && value >= 0 && (!integer || Number.isInteger(value)))) {
    throw new RangeError(`\`${name}\` must be a non-negative ${integer ? "integer" : "number"}, got ${value}`);
  }
  return value;
}

export function resolveRemoteOptions(options: RemoteOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedRemoteOptions {
  const envMax = env.COTRAIN_CACHE_MAX_BYTES ? Number(env.COTRAIN_CACHE_MAX_BYTES) : undefined;
  const resolved: ResolvedRemoteOptions = {
    cacheDir: options.cacheDir ?? defaultCacheDir(env),
    maxCacheBytes: positive("maxCacheBytes", options.maxCacheBytes ?? envMax ?? 20 * 2 ** 30),
    blockSize: positive("blockSize", options.blockSize ?? 4 * 2 ** 20),
    readAhead: positive("readAhead", options.readAhead ?? 1),
    retries: positive("retries", options.retries ?? 5),
    backoffMs: positive("backoffMs", options.backoffMs ?? 250, false),
    maxBackoffMs: positive("maxBackoffMs", options.maxBackoffMs ?? 10_000, false),
    timeoutMs: positive("timeoutMs", options.timeoutMs ?? 30_000, false),
    concurrency: positive("concurrency", options.concurrency ?? 8),
    s3: options.s3 ?? {},
  };
  if (resolved.blockSize < 1) throw new RangeError(`\`blockSize\` must be at least 1, got ${resolved.blockSize}`);
  if (resolved.concurrency < 1) throw new RangeError(`\`concurrency\` must be at least 1, got ${resolved.concurrency}`);
  if (resolved.timeoutMs <= 0) throw new RangeError(`\`timeoutMs\` must be positive, got ${resolved.timeoutMs}`);
  return resolved;
}
