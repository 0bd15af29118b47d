import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, normalize, sep } from "node:path";

/**
 * A fault the server injects into the next `times` matching requests:
 * - `status`: answers 503 (any method);
 * - `cut`: sends the headers and the first `afterBytes` bytes of the body (default: half), then destroys the socket;
 * - `stall`: waits `delayMs` before answering at all (longer than the client's timeout, the client gives up first).
 */
export interface Fault {
  kind: "status" | "cut" | "stall";
  /** A path (as requested, e.g. "/rlds/features.json") or a pattern it must match. */
  path: string | RegExp;
  /** How many matching requests get the fault (default 1). */
  times?: number;
  afterBytes?: number;
  delayMs?: number;
}

/** One request as the server saw it. */
export interface ServedRequest {
  method: string;
  path: string;
  range: string | null;
  status: number;
  /** Body bytes written (for a cut, those sent before the cut). */
  bytes: number;
  fault: Fault["kind"] | null;
}

export interface FixtureServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  requests: ServedRequest[];
  /** Faults injected so far, by kind. */
  injected: Record<Fault["kind"], number>;
  addFault(fault: Fault): void;
  close(): Promise<void>;
}

/**
 * A static file server on 127.0.0.1 (a free port) over a folder of fixtures, for the remote-reading tests: HEAD and
 * GET with single byte ranges (`bytes=a-b`, `a-`, `-n`), ETag and Last-Modified from the file's size and mtime, 416
 * past the end, 404 for anything that is not a file. It never lists a folder, so a reader that works against it
 * needs no listing. Faults are injected per request from a queue (`addFault`), and every request is logged.
 */
export async function startFixtureServer(folder: string, faults: Fault[] = []): Promise<FixtureServer> {
  const root = normalize(folder).replace(/[\\/]+$/, "");
  const queue = faults.map((f) => ({ ...f, left: f.times ?? 1 }));
  const requests: ServedRequest[] = [];
  const injected = { status: 0, cut: 0, stall: 0 };
  const timers = new Set<NodeJS.Timeout>();

  const take = (method: string, path: string): Fault | null => {
    for (const fault of queue) {
      if (fault.left <= 0) continue;
      if (fault.kind !== "status" && method !== "GET") continue;
      if (typeof fault.path === "string" ? fault.path !== path : !fault.path.test(path)) continue;
      fault.left--;
      injected[fault.kind]++;
      return fault;
    }
    return null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const log: ServedRequest = { method, path, range: req.headers.range ?? null, status: 0, bytes: 0, fault: null };
    requests.push(log);
    const send = (status: number, headers: Record<string, string | number> = {}): void => {
      log.status = status;
      res.writeHead(status, headers);
      res.end();
    };
    const fault = take(method, path);
    log.fault = fault?.kind ?? null;
    if (fault?.kind === "status") return send(503, { "Retry-After": "0" });
    if (fault?.kind === "stall") {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => (timers.delete(timer), resolve()), fault.delayMs ?? 2000);
        timers.add(timer);
      });
      if (res.destroyed) return;
    }
    if (method !== "GET" && method !== "HEAD") return send(405);
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return send(404);
    const info = await stat(file).catch(() => null);
    if (info === null || !info.isFile()) return send(404);
    const size = info.size;
    const headers: Record<string, string | number> = {
      "Accept-Ranges": "bytes",
      ETag: `"${size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`,
      "Last-Modified": info.mtime.toUTCString(),
      "Content-Type": "application/octet-stream",
    };
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (req.headers.range) {
      const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range);
      if (!m || (m[1] === "" && m[2] === "")) return send(416, { "Content-Range": `bytes */${size}` });
      if (m[1] === "") start = Math.max(0, size - Number(m[2]));
      else {
        start = Number(m[1]);
        if (m[2] !== "") end = Math.min(end, Number(m[2]));
      }
      if (start >= size || start > end) return send(416, { "Content-Range": `bytes */${size}` });
      status = 206;
      headers["Content-Range"] = `bytes ${start}-${end}/${size}`;
    }
    const length = end - start + 1;
    headers["Content-Length"] = length;
    log.status = status;
    res.writeHead(status, headers);
    if (method === "HEAD" || length === 0) return void res.end();
    const limit = fault?.kind === "cut" ? Math.min(length - 1, fault.afterBytes ?? Math.floor(length / 2)) : length;
    if (limit <= 0) {
      res.flushHeaders();
      return void res.socket?.destroy();
    }
    const stream = createReadStream(file, { start, end: start + limit - 1 });
    stream.on("data", (chunk) => {
      log.bytes += chunk.length;
      res.write(chunk);
    });
    stream.on("end", () => {
      if (limit < length) res.socket?.destroy();
      else res.end();
    });
    stream.on("error", () => res.socket?.destroy());
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.socket?.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    injected,
    addFault: (fault) => queue.push({ ...fault, left: fault.times ?? 1 }),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
