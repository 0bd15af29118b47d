import { CotrainError, MissingError, RemoteError } from "../errors.js";
import type { Limit } from "../limiter.js";
import { backoffDelay, sleep } from "./backoff.js";
import type { ResolvedRemoteOptions } from "./remote-options.js";
import type { RemoteStats } from "./remote-stats.js";

/** What a HEAD tells about a remote file: its size and the validator that names this version of it. */
export interface RemoteHead {
  size: number;
  /** The ETag, else the Last-Modified date, else null (the size alone then stands for the version). */
  validator: string | null;
}

/** Turns a location into the URL to send a request to (identity for http(s); a presigned URL for s3://). */
export type RequestUrl = (location: string, method: "HEAD" | "GET") => Promise<string>;

type FaultKind = keyof RemoteStats["faults"];

/** A failure worth retrying: a 5xx/429/408, a dropped connection or short body, a timeout. */
class Fault extends Error {
  constructor(
    readonly kind: FaultKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const RETRY_STATUS = (status: number): boolean => status >= 500 || status === 429 || status === 408;
const CONTENT_RANGE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

/**
 * HEAD and ranged GET over the global `fetch` (Node's undici), with the retry policy of the remote layer: a fault
 * is retried up to `retries` times after an exponential backoff with jitter; a GET cut off mid-body resumes with a
 * Range request from the first byte it did not get, so no byte is fetched twice. `timeoutMs` bounds the wait for
 * the response and for each body chunk: a server that stalls is cut and asked again. A 404 is a MissingError at
 * once, other refusals (403, 416, …) and a changed validator are RemoteErrors at once; nothing else gives up early.
 */
export class HttpFetcher {
  constructor(
    private readonly options: ResolvedRemoteOptions,
    private readonly stats: RemoteStats,
    private readonly limit: Limit,
    private readonly requestUrl: RequestUrl,
  ) {}

  /** Size and validator of the file; HEAD, or a one-byte GET where the server refuses HEAD (405/501). */
  head(location: string): Promise<RemoteHead> {
    return this.retrying(location, 0, async (signal) => {
      const response = await this.send(location, "HEAD", {}, signal);
      if (response.status === 405 || response.status === 501) {
        const probe = await this.send(location, "GET", { Range: "bytes=0-0" }, signal);
        await probe.body?.cancel().catch(() => undefined);
        this.refuse(location, probe, 0);
        const total = CONTENT_RANGE.exec(probe.headers.get("content-range") ?? "")?.[3];
        const size = total !== undefined && total !== "*" ? Number(total) : Number(probe.headers.get("content-length"));
        return { size: this.checkSize(location, size), validator: validatorOf(probe.headers) };
      }
      await response.body?.cancel().catch(() => undefined);
      this.refuse(location, response, 0);
      return { size: this.checkSize(location, Number(response.headers.get("content-length") ?? NaN)), validator: validatorOf(response.headers) };
    });
  }

  /**
   * Fills `into` with the file's bytes [start, start + into.length), checking that the file is still the version
   * `head` described. Resumes after a fault from the first missing byte.
   */
  async getRange(location: string, head: RemoteHead, start: number, into: Uint8Array): Promise<void> {
    const end = start + into.length;
    if (into.length === 0) return;
    await this.retrying(
      location,
      start,
      async (signal, state, arm) => {
        const from = start + state.got;
        const response = await this.send(location, "GET", { Range: `bytes=${from}-${end - 1}` }, signal);
        this.refuse(location, response, from);
        const validator = validatorOf(response.headers);
        if (head.validator !== null && validator !== null && validator !== head.validator) {
          await response.body?.cancel().catch(() => undefined);
          throw new RemoteError("REMOTE_CHANGED", `the file changed on the server while it was read (validator ${head.validator}, now ${validator})`, { file: location, offset: from });
        }
        // 206: the body starts at `from`. 200: the server ignored Range and sends the file from byte 0.
        let skip = 0;
        if (response.status === 206) {
          const range = CONTENT_RANGE.exec(response.headers.get("content-range") ?? "");
          if (!range || Number(range[1]) !== from) {
            await response.body?.cancel().catch(() => undefined);
            throw new RemoteError("REMOTE_RANGE", `asked for bytes ${from}-${end - 1}, the server answered Content-Range ${JSON.stringify(response.headers.get("content-range"))}`, { file: location, offset: from });
          }
        } else {
          skip = from;
        }
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        try {
          while (state.got < into.length) {
            arm();
            const { done, value } = await reader.read();
            if (done) throw new Fault("connection", `the body ended ${end - start - state.got} bytes early`);
            this.stats.bytesFetched += value.length;
            let chunk = value;
            if (skip > 0) {
              const dropped = Math.min(skip, chunk.length);
              skip -= dropped;
              chunk = chunk.subarray(dropped);
            }
            const take = Math.min(chunk.length, into.length - state.got);
            into.set(chunk.subarray(0, take), state.got);
            state.got += take;
          }
        } finally {
          await reader.cancel().catch(() => undefined);
        }
      },
      { got: 0 },
    );
  }

  private async send(location: string, method: "HEAD" | "GET", headers: Record<string, string>, signal: AbortSignal): Promise<Response> {
    const url = await this.requestUrl(location, method);
    this.stats.requests++;
    // identity: a compressed body would not be the byte range asked for (undici adds gzip/br otherwise).
    return fetch(url, { method, headers: { ...headers, "Accept-Encoding": "identity" }, signal, redirect: "follow" });
  }

  /** Raises for a status that is not a success: a Fault to retry, or a typed error that ends the read. */
  private refuse(location: string, response: Response, offset: number): void {
    const { status } = response;
    if (status === 200 || status === 206) return;
    void response.body?.cancel().catch(() => undefined);
    if (RETRY_STATUS(status)) throw new Fault("status", `HTTP ${status} ${response.statusText}`);
    if (status === 404 || status === 410) throw new MissingError("REMOTE_NOT_FOUND", `the server has no such file (HTTP ${status})`, { file: location });
    if (status === 416) throw new RemoteError("REMOTE_CHANGED", `byte ${offset} is past the end of the file (HTTP 416): did it shrink on the server?`, { file: location, offset });
    throw new RemoteError("REMOTE_REFUSED", `HTTP ${status} ${response.statusText}`, { file: location });
  }

  private checkSize(location: string, size: number): number {
    if (!Number.isSafeInteger(size) || size < 0) throw new RemoteError("REMOTE_NO_SIZE", "the server does not tell the file's size (no Content-Length), which ranged reads need", { file: location });
    return size;
  }

  /**
   * Runs `attempt` until it succeeds, a typed error ends it, or the retries are spent. `arm` restarts the idle timer
   * (the attempt calls it before each body read); an attempt that made progress starts the retry count over, since
   * a long body may be cut more than `retries` times in all while each resume gets further.
   */
  private async retrying<T>(
    location: string,
    start: number,
    attempt: (signal: AbortSignal, state: { got: number }, arm: () => void) => Promise<T>,
    state: { got: number } = { got: 0 },
  ): Promise<T> {
    const { retries, backoffMs, maxBackoffMs, timeoutMs } = this.options;
    let failures = 0;
    let faulted = false;
    for (;;) {
      const before = state.got;
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeoutMs);
      };
      try {
        const result = await this.limit(() => {
          arm();
          return attempt(controller.signal, state, arm);
        });
        if (faulted) this.stats.recovered++;
        return result;
      } catch (error) {
        if (error instanceof CotrainError) throw error;
        const fault =
          error instanceof Fault ? error : timedOut ? new Fault("timeout", `no response for ${timeoutMs} ms`, { cause: error }) : new Fault("connection", connectionMessage(error), { cause: error });
        this.stats.faults[fault.kind]++;
        faulted = true;
        failures = state.got > before ? 1 : failures + 1;
        if (failures > retries) {
          this.stats.failed++;
          throw new RemoteError("REMOTE_UNAVAILABLE", `${fault.message}; gave up after ${retries + 1} attempts in a row without progress`, { file: location, offset: start + state.got, cause: fault });
        }
        this.stats.retries++;
        await sleep(backoffDelay(failures, backoffMs, maxBackoffMs));
      } finally {
        clearTimeout(timer);
      }
    }
  }
}

function validatorOf(headers: Headers): string | null {
  return headers.get("etag") ?? headers.get("last-modified");
}

/** undici reports a refused or dropped connection as `TypeError: fetch failed` / `terminated` with the reason in `cause`. */
function connectionMessage(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const base = error instanceof Error ? error.message : String(error);
  return cause?.code || cause?.message ? `${base} (${cause.code ?? cause.message})` : base;
}
