import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MissingError, RemoteClient, RemoteError, batchToIpc, collect, fromRows, isNotFound, joinLocation, locationName, openShards, parentLocation, setRemoteClient, writeShards } from "@cotrain/core";
import type { RemoteOptions } from "@cotrain/core";
import { errorOf, startFixtureServer } from "@cotrain/test-utils";
import type { FixtureServer } from "@cotrain/test-utils";
import { mixedRows } from "./fixtures.js";

// The remote layer against a real HTTP server on 127.0.0.1 (test-utils' fixture server) that serves files written
// here and injects faults: reads over HTTP must equal the local bytes, faults must be recovered and counted, and the
// on-disk cache must serve a second run (and a restart after a cut) without fetching finished blocks again.
const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-remote-"));
const root = tmp();
const data = randomBytes(10_000 + 123);
writeFileSync(join(root, "data.bin"), data);
mkdirSync(join(root, "a b"));
writeFileSync(join(root, "a b", "c#1.json"), '{"ok":true}');

const BLOCK = 1000;
const fast: RemoteOptions = { blockSize: BLOCK, backoffMs: 1, maxBackoffMs: 5, timeoutMs: 400, readAhead: 0 };
const client = (options: RemoteOptions = {}): RemoteClient => new RemoteClient({ cacheDir: tmp(), ...fast, ...options });

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer(root);
});
afterAll(() => server.close());

const gets = (from = 0) => server.requests.slice(from).filter((r) => r.method === "GET");

describe("RemoteFile", () => {
  it("reads any range equal to the local bytes, across block boundaries, one GET per block", async () => {
    const remote = client();
    const file = await remote.open(`${server.url}/data.bin`);
    expect(file.size).toBe(data.length);
    const before = server.requests.length;
    for (const [position, length] of [[0, 10], [990, 20], [1500, 3000], [9990, 500], [data.length - 1, 1], [data.length, 5]] as const) {
      const buffer = new Uint8Array(length);
      const n = await file.read(buffer, 0, length, position);
      expect(n).toBe(Math.max(0, Math.min(length, data.length - position)));
      expect(Buffer.from(buffer.subarray(0, n)).equals(data.subarray(position, position + n))).toBe(true);
    }
    expect(await file.readExactly(0, data.length)).toEqual(data);
    await remote.idle();
    const blocks = Math.ceil(data.length / BLOCK);
    expect(gets(before).length).toBe(blocks);
    expect(gets(before).every((r) => r.status === 206)).toBe(true);
    expect(remote.stats().bytesFetched).toBe(data.length);
    expect(remote.stats().cacheMisses).toBe(blocks);
  });

  it("recovers from a 503, a connection cut mid-body and a stalled response, and counts each", async () => {
    server.addFault({ kind: "status", path: "/data.bin" }); // the HEAD
    server.addFault({ kind: "cut", path: "/data.bin", afterBytes: 300 });
    server.addFault({ kind: "stall", path: "/data.bin", delayMs: 1500 });
    server.addFault({ kind: "status", path: "/data.bin", times: 2 });
    const injected = { ...server.injected };
    const remote = client();
    expect(Buffer.from(await remote.readAll(`${server.url}/data.bin`)).equals(data)).toBe(true);
    await remote.idle();
    const stats = remote.stats();
    expect(server.injected.status - injected.status).toBe(3);
    expect(server.injected.cut - injected.cut).toBe(1);
    expect(server.injected.stall - injected.stall).toBe(1);
    expect(stats.faults).toEqual({ status: 3, connection: 1, timeout: 1 });
    expect(stats.retries).toBe(5);
    // Two requests recovered: the HEAD (one 503), and block 0 (cut, then stalled, then two 503s, then whole).
    expect(stats.recovered).toBe(2);
    expect(stats.failed).toBe(0);
    // The cut block resumed from its 301st byte: no byte was fetched twice.
    expect(stats.bytesFetched).toBe(data.length);
  });

  it("serves a second run from the cache with no byte fetched", async () => {
    const cacheDir = tmp();
    const first = client({ cacheDir });
    await first.readAll(`${server.url}/data.bin`);
    const second = client({ cacheDir });
    const before = gets().length;
    expect(Buffer.from(await second.readAll(`${server.url}/data.bin`)).equals(data)).toBe(true);
    expect(second.stats()).toMatchObject({ bytesFetched: 0, cacheHits: Math.ceil(data.length / BLOCK), cacheMisses: 0, requests: 1 });
    expect(gets().length).toBe(before);
  });

  it("resumes after a restart without fetching the blocks finished before a fatal cut", async () => {
    const cacheDir = tmp();
    const dying = client({ cacheDir, retries: 0 });
    const file = await dying.open(`${server.url}/data.bin`);
    await file.readExactly(0, 4 * BLOCK);
    // Block 4 is cut and this client does not retry: the read fails like a killed process would stop.
    server.addFault({ kind: "cut", path: "/data.bin", afterBytes: 10 });
    const error = await errorOf(() => file.readExactly(0, data.length));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe("REMOTE_UNAVAILABLE");
    expect((error as RemoteError).offset).toBe(4 * BLOCK + 10);
    const before = server.requests.length;
    const restarted = client({ cacheDir });
    expect(Buffer.from(await restarted.readAll(`${server.url}/data.bin`)).equals(data)).toBe(true);
    const ranges = gets(before).map((r) => Number(/bytes=(\d+)-/.exec(r.range ?? "")?.[1]));
    expect(ranges.sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8, 9, 10].map((b) => b * BLOCK));
    expect(restarted.stats()).toMatchObject({ cacheHits: 4, bytesFetched: data.length - 4 * BLOCK });
  });

  it("keeps the cache under its size limit, evicting least recently used blocks", async () => {
    const remote = client({ maxCacheBytes: 3 * BLOCK });
    expect(Buffer.from(await remote.readAll(`${server.url}/data.bin`)).equals(data)).toBe(true);
    expect(await remote.cacheBytes()).toBeLessThanOrEqual(3 * BLOCK);
    expect(remote.stats().evictedBlocks).toBeGreaterThan(0);
    // The last blocks read are the ones kept: reading the tail again fetches nothing.
    const file = await remote.open(`${server.url}/data.bin`);
    remote.resetStats();
    await file.readExactly(data.length - 100, 100);
    expect(remote.stats()).toMatchObject({ bytesFetched: 0, cacheHits: 1 });
  });

  it("names a missing file with a MissingError, and a file changed on the server with a RemoteError", async () => {
    const remote = client();
    const missing = await errorOf(() => remote.open(`${server.url}/nope.bin`));
    expect(missing).toBeInstanceOf(MissingError);
    expect(isNotFound(missing)).toBe(true);
    expect(await remote.exists(`${server.url}/nope.bin`)).toBe(false);
    expect(await remote.exists(`${server.url}/data.bin`)).toBe(true);

    writeFileSync(join(root, "changing.bin"), randomBytes(3000));
    const file = await remote.open(`${server.url}/changing.bin`);
    writeFileSync(join(root, "changing.bin"), randomBytes(3000));
    utimesSync(join(root, "changing.bin"), new Date(2001, 1, 1), new Date(2001, 1, 1));
    const changed = await errorOf(() => file.readExactly(0, 3000));
    expect(changed).toBeInstanceOf(RemoteError);
    expect((changed as RemoteError).code).toBe("REMOTE_CHANGED");
  });

  it("gives up after its retries with a RemoteError naming the file and the byte", async () => {
    server.addFault({ kind: "status", path: "/data.bin", times: 3 });
    const remote = client({ retries: 2 });
    const error = await errorOf(() => remote.readAll(`${server.url}/data.bin`));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).message).toMatch(/data\.bin.*HTTP 503.*3 attempts/);
    expect(remote.stats()).toMatchObject({ failed: 1, retries: 2, faults: { status: 3, connection: 0, timeout: 0 } });
  });

  it("joins URLs segment by segment, percent-encoding names", async () => {
    const base = `${server.url}/`;
    const url = joinLocation(base, "a b", "c#1.json");
    expect(url).toBe(`${server.url}/a%20b/c%231.json`);
    expect(locationName(url)).toBe("c#1.json");
    expect(parentLocation(url)).toBe(`${server.url}/a%20b`);
    expect(parentLocation(`${server.url}/x`)).toBe(`${server.url}/`);
    expect(joinLocation(`${server.url}/x/y`, "../z")).toBe(`${server.url}/x/z`);
    expect(joinLocation(`${server.url}/x`, "../../..", "z")).toBe(`${server.url}/z`);
    expect(Buffer.from(await client().readAll(url)).toString()).toBe('{"ok":true}');
  });
});

describe("openShards over HTTP", () => {
  it("reads Arrow shards identically to the local copy, verifying sha256 through the cache", async () => {
    const dir = join(root, "shards");
    await writeShards(fromRows(mixedRows(90), { batchSize: 10 }), dir, { format: "arrow", maxRowsPerShard: 40 });
    const local = (await collect(openShards(dir))).map(batchToIpc);
    const remote = client({ blockSize: 4096 });
    const previous = setRemoteClient(remote);
    try {
      server.addFault({ kind: "cut", path: /shard/ });
      server.addFault({ kind: "status", path: /shard/ });
      const batches = (await collect(openShards(`${server.url}/shards`))).map(batchToIpc);
      expect(batches.length).toBe(local.length);
      batches.forEach((b, i) => expect(Buffer.from(b).equals(Buffer.from(local[i] as Uint8Array))).toBe(true));
      await remote.idle();
      expect(remote.stats().faults.connection + remote.stats().faults.status).toBe(2);
      // The sha256 check and the read went through the same blocks, and the cut resumed: each byte fetched once.
      const files = readdirSync(dir).filter((n) => n.startsWith("manifest") || n.endsWith(".arrow"));
      expect(files.length).toBeGreaterThan(2);
      expect(remote.stats().bytesFetched).toBe(files.reduce((n, f) => n + statSync(join(dir, f)).size, 0));
      remote.resetStats();
      await collect(openShards(`${server.url}/shards`));
      expect(remote.stats().bytesFetched).toBe(0);
    } finally {
      setRemoteClient(previous);
    }
  });

  it("says a remote folder without manifest.json has none", async () => {
    const previous = setRemoteClient(client());
    try {
      const error = await errorOf(() => collect(openShards(`${server.url}/a%20b`)));
      expect(error).toBeInstanceOf(MissingError);
      expect((error as MissingError).code).toBe("SHARDS_NO_MANIFEST");
    } finally {
      setRemoteClient(previous);
    }
  });
});
