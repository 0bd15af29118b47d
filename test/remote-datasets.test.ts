import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { RemoteClient, RemoteError, fingerprint, openShards, setRemoteClient, writeShards } from "@cotrain/core";
import type { RemoteOptions, Source } from "@cotrain/core";
import { openLeRobot, openRlds, writeLeRobot, writeRlds } from "@cotrain/robot";
import type { Episode } from "@cotrain/robot";
import { openLlava, openParquetVqa, writeLlava, writeParquetVqa } from "@cotrain/vqa";
import type { VqaEntry } from "@cotrain/vqa";
import { runCli } from "@cotrain/cli";
import { errorOf, runResumeTest, startFixtureServer } from "@cotrain/test-utils";
import type { Fault, FixtureServer } from "@cotrain/test-utils";

// Every reader over HTTP: a dataset of each format is written here by the project's own writers, served by
// test-utils' fixture server on 127.0.0.1 (which never lists a folder and injects faults), and read through the
// remote layer. The batches must equal the local read byte for byte (Arrow IPC sha256), each injected fault must be
// recovered and counted, a second run on the warm cache must fetch no byte, and a run cut off for good must leave
// finished blocks that a restarted run does not fetch again.
const root = mkdtempSync(join(tmpdir(), "cotrain-remote-e2e-"));
const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-remote-cache-"));
const remoteOptions: RemoteOptions = { blockSize: 16 * 1024, backoffMs: 1, maxBackoffMs: 10, timeoutMs: 1000 };
let server: FixtureServer;

async function jpeg(rgb: [number, number, number], size = 48): Promise<Uint8Array> {
  const noise = Buffer.from(Array.from({ length: size * size * 3 }, (_, i) => (rgb[i % 3]! + ((i * 7919) % 61)) & 0xff));
  return new Uint8Array(await sharp(noise, { raw: { width: size, height: size, channels: 3 } }).jpeg().toBuffer());
}

async function episodes(count: number): Promise<Episode[]> {
  const frames = await Promise.all(([[200, 30, 30], [30, 200, 30], [30, 30, 200], [200, 200, 30]] as const).map((c) => jpeg([...c])));
  return Array.from({ length: count }, (_, e) => {
    const length = 3 + (e % 3);
    return {
      source: "bridge",
      index: e,
      id: `traj${e}`,
      length,
      cameras: [0, 1, 2, 3].map((c) => ({ name: `image_${c}`, frames: Array.from({ length }, (_, t) => frames[(e + t + c) % 4] as Uint8Array) })),
      actions: Float32Array.from({ length: length * 7 }, (_, i) => (i % 7 === 6 ? Math.floor(i / 7) % 2 : Math.sin(e * 10 + i) / 10)),
      actionDim: 7,
      states: Float32Array.from({ length: length * 7 }, (_, i) => Math.cos(e + i)),
      stateDim: 7,
      instructions: new Array<string>(length).fill(["pick up the red block", "open the drawer"][e % 2] as string),
    };
  });
}

async function entries(count: number): Promise<VqaEntry[]> {
  const colours = ["red", "green", "blue"] as const;
  const images = await Promise.all(([[220, 20, 20], [20, 220, 20], [20, 20, 220]] as const).map((c) => jpeg([...c], 64)));
  return Array.from({ length: count }, (_, i) => {
    const k = i % 3;
    if (i % 5 === 4) return { id: `q${i}`, images: [], conversations: [{ from: "human", value: `Say ${i}.` }, { from: "gpt", value: String(i) }] };
    return {
      id: `q${i}`,
      images: [{ path: `scenes/${colours[k]} ${k}.jpg`, bytes: images[k] as Uint8Array }],
      conversations: [
        { from: "human", value: "<image>\nWhat colour is the square?" },
        { from: "gpt", value: colours[k] as string },
      ],
    };
  });
}

async function fingerprints(source: Source): Promise<string[]> {
  const out: string[] = [];
  try {
    for (let batch = await source.next(); batch !== null; batch = await source.next()) out.push(fingerprint(batch));
  } finally {
    await source.close?.();
  }
  return out;
}

interface Format {
  name: string;
  /** Path under the fixture root (and the server). */
  path: string;
  open: (location: string) => Source | Promise<Source>;
  /** The file the faults are injected into. */
  faulty: RegExp;
}

const formats: Format[] = [
  { name: "RLDS", path: "rlds/bridge_dataset/1.0.0", open: (p) => openRlds(p, { batchSize: 5 }), faulty: /tfrecord-00001-of-00003$/ },
  { name: "RLDS shuffled", path: "rlds/bridge_dataset/1.0.0", open: (p) => openRlds(p, { batchSize: 5, shuffleEpisodes: true, seed: 3 }), faulty: /tfrecord-00002-of-00003$/ },
  { name: "LeRobot", path: "lerobot", open: (p) => openLeRobot(p, { batchSize: 5 }), faulty: /episode_000002\.parquet$/ },
  { name: "LLaVA + images", path: "llava/vqa.json", open: (p) => openLlava(p, { batchSize: 4 }), faulty: /green 1\.jpg$/ },
  { name: "LLaVA JSON", path: "llava/vqa.json", open: (p) => openLlava(p, { batchSize: 4 }), faulty: /vqa\.json$/ },
  { name: "Parquet VQA", path: "vqa.parquet", open: (p) => openParquetVqa(p, { batchSize: 4 }), faulty: /vqa\.parquet$/ },
  { name: "Arrow shards", path: "shards-arrow", open: (p) => openShards(p, { batchSize: 4 }), faulty: /part-00001\.arrow$/ },
  { name: "Parquet shards", path: "shards-parquet", open: (p) => openShards(p, { batchSize: 4 }), faulty: /part-00000\.parquet$/ },
];

beforeAll(async () => {
  await writeRlds(join(root, "rlds/bridge_dataset/1.0.0"), await episodes(9), { name: "bridge_dataset", preset: "bridge", shards: 3 });
  const oneCamera = (await episodes(5)).map((e) => ({ ...e, source: "lerobot_demo", cameras: [{ name: "top", frames: e.cameras[0]!.frames }] }));
  await writeLeRobot(join(root, "lerobot"), oneCamera, { fps: 10, robotType: "demo_arm" });
  const vqa = await entries(14);
  mkdirSync(join(root, "llava"));
  await writeLlava(join(root, "llava/vqa.json"), vqa, { imageRoot: join(root, "llava") });
  await writeParquetVqa(join(root, "vqa.parquet"), vqa, { rowGroupSize: 4 });
  await writeShards(await openRlds(join(root, "rlds/bridge_dataset/1.0.0"), { batchSize: 4 }), join(root, "shards-arrow"), { format: "arrow", maxRowsPerShard: 15 });
  await writeShards(openLlava(join(root, "llava/vqa.json"), { batchSize: 4 }), join(root, "shards-parquet"), { format: "parquet", maxRowsPerShard: 8, rowGroupSize: 3 });
  server = await startFixtureServer(root);
});

afterAll(async () => {
  setRemoteClient(null);
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Runs `read` with `client` as the readers' remote client. */
async function withClient<T>(client: RemoteClient, read: () => Promise<T>): Promise<T> {
  const previous = setRemoteClient(client);
  try {
    return await read();
  } finally {
    setRemoteClient(previous);
  }
}

describe.each(formats)("$name over HTTP", (format) => {
  it("reads the same batches as the local copy, recovering from a 503, a cut connection and a stall, and a warm cache fetches nothing", async () => {
    const local = await fingerprints(await format.open(join(root, format.path)));
    expect(local.length).toBeGreaterThan(0);
    const url = `${server.url}/${format.path}`;
    const cacheDir = tmp();
    const before = { ...server.injected };
    for (const kind of ["status", "cut", "stall"] as const) server.addFault({ kind, path: format.faulty, delayMs: 2500 } satisfies Fault);

    const cold = new RemoteClient({ ...remoteOptions, cacheDir });
    expect(await withClient(cold, async () => fingerprints(await format.open(url)))).toEqual(local);
    await cold.idle();
    expect({ status: server.injected.status - before.status, cut: server.injected.cut - before.cut, stall: server.injected.stall - before.stall }).toEqual({ status: 1, cut: 1, stall: 1 });
    const stats = cold.stats();
    expect(stats.faults).toEqual({ status: 1, connection: 1, timeout: 1 });
    expect(stats.retries).toBe(3);
    expect(stats.failed).toBe(0);
    expect(stats.recovered).toBeGreaterThanOrEqual(1);
    expect(stats.bytesFetched).toBeGreaterThan(0);

    const served = server.requests.length;
    const warm = new RemoteClient({ ...remoteOptions, cacheDir });
    expect(await withClient(warm, async () => fingerprints(await format.open(url)))).toEqual(local);
    await warm.idle();
    expect(warm.stats()).toMatchObject({ bytesFetched: 0, cacheMisses: 0 });
    expect(warm.stats().cacheHits).toBeGreaterThan(0);
    expect(server.requests.slice(served).every((r) => r.method === "HEAD")).toBe(true);
  });
});

describe("resume over HTTP", () => {
  it("restores a saved state into a fresh remote reader and continues byte for byte (runResumeTest)", async () => {
    const previous = setRemoteClient(new RemoteClient({ ...remoteOptions, cacheDir: tmp() }));
    try {
      expect((await runResumeTest(() => openLlava(`${server.url}/llava/vqa.json`, { batchSize: 4 }))).total).toBe(4);
      expect((await runResumeTest(() => openRlds(`${server.url}/rlds/bridge_dataset/1.0.0`, { batchSize: 5, shuffleEpisodes: true, seed: 1 }))).total).toBeGreaterThan(3);
      expect((await runResumeTest(() => openParquetVqa(`${server.url}/vqa.parquet`, { batchSize: 4 }))).total).toBe(4);
    } finally {
      setRemoteClient(previous);
    }
  });
});

describe("a remote read cut off for good", () => {
  it("fails with a RemoteError, and a restarted run fetches only the blocks the first did not finish", async () => {
    const path = "rlds/bridge_dataset/1.0.0";
    const url = `${server.url}/${path}`;
    const local = await fingerprints(await openRlds(join(root, path), { batchSize: 5 }));
    const cacheDir = tmp();
    const dying = new RemoteClient({ ...remoteOptions, cacheDir, retries: 0, readAhead: 0 });
    const first = server.requests.length;
    server.addFault({ kind: "cut", path: /tfrecord-00002-of-00003$/ });
    const error = await withClient(dying, async () => errorOf(async () => fingerprints(await openRlds(url, { batchSize: 5 }))));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe("REMOTE_UNAVAILABLE");
    const finished = server.requests.slice(first).filter((r) => r.method === "GET" && r.fault === null).map((r) => `${r.path} ${r.range}`);
    expect(finished.length).toBeGreaterThan(3);

    const second = server.requests.length;
    const restarted = new RemoteClient({ ...remoteOptions, cacheDir });
    expect(await withClient(restarted, async () => fingerprints(await openRlds(url, { batchSize: 5 })))).toEqual(local);
    const refetched = server.requests.slice(second).filter((r) => r.method === "GET").map((r) => `${r.path} ${r.range}`);
    expect(refetched.filter((r) => finished.includes(r))).toEqual([]);
    expect(refetched.length).toBeGreaterThan(0);
    expect(restarted.stats().cacheHits).toBe(finished.length);
  });
});

describe("a server that keeps failing", () => {
  it("stops a reader with a RemoteError even under onError: skip (the data is not at fault)", async () => {
    const client = new RemoteClient({ ...remoteOptions, cacheDir: tmp(), retries: 1 });
    server.addFault({ kind: "status", path: /red 0\.jpg$/, times: 2 });
    const error = await withClient(client, async () => errorOf(() => fingerprints(openLlava(`${server.url}/llava/vqa.json`, { batchSize: 4, onError: "skip" }))));
    expect(error).toBeInstanceOf(RemoteError);
    expect((error as RemoteError).code).toBe("REMOTE_UNAVAILABLE");
    expect((error as RemoteError).file).toBe(`${server.url}/llava/scenes/red%200.jpg`);
  });
});

describe("the cotrain command with URLs", () => {
  const cli = async (...argv: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await runCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
    return { code, stdout, stderr };
  };

  it("inspects and converts a dataset given by URL exactly as the local folder", async () => {
    const previous = setRemoteClient(new RemoteClient({ ...remoteOptions, cacheDir: tmp() }));
    try {
      for (const path of ["rlds/bridge_dataset/1.0.0", "lerobot", "llava/vqa.json", "vqa.parquet", "shards-arrow"]) {
        const url = `${server.url}/${path}`;
        const remote = await cli("inspect", url);
        const local = await cli("inspect", join(root, path));
        expect(remote.stderr).not.toMatch(/cotrain: /);
        expect(remote.code).toBe(0);
        expect(remote.stdout.replaceAll(server.url, "<root>")).toBe(local.stdout.replaceAll(root, "<root>"));
      }
      const out = { local: tmp(), remote: tmp() };
      expect((await cli("convert", join(root, "rlds/bridge_dataset/1.0.0"), "--out", out.local)).code).toBe(0);
      const converted = await cli("convert", `${server.url}/rlds/bridge_dataset/1.0.0`, "--out", out.remote);
      expect(converted.stderr).not.toMatch(/cotrain: /);
      expect(converted.code).toBe(0);
      expect(await fingerprints(openShards(out.remote))).toEqual(await fingerprints(openShards(out.local)));
    } finally {
      setRemoteClient(previous);
    }
  });

  it("trains on sources given by URL in the config", async () => {
    const remote = new RemoteClient({ ...remoteOptions, cacheDir: tmp() });
    const previous = setRemoteClient(remote);
    try {
      const dir = tmp();
      const config = {
        sources: {
          bridge: { format: "rlds", path: `${server.url}/rlds/bridge_dataset/1.0.0`, options: { batchSize: 4 }, normalize: { action: "q01_q99", keepGripper: true } },
          web: { path: `${server.url}/llava/vqa.json`, options: { batchSize: 4 } },
        },
        mixture: { weights: { bridge: 1, web: 1 }, batchSize: 4, seed: 1, stop: "all_exhausted" },
        collator: { tokenizer: "byte", template: "openvla", actions: { type: "continuous", dim: 7 }, image: { size: 16 }, maxLength: 80, padding: "max" },
        model: { patchSize: 8, dim: 16, layers: 1, heads: 2, mlpRatio: 2, actionHidden: 16 },
        train: { steps: 2, seed: 0, backend: "wasm", optimizer: { lr: 0.01, warmupSteps: 1 }, progress: "lines", logEvery: 1 },
        runDir: join(dir, "run"),
      };
      writeFileSync(join(dir, "train.json"), JSON.stringify(config));
      const trained = await cli("train", join(dir, "train.json"));
      expect(trained.stderr).not.toMatch(/cotrain: /);
      expect(trained.code).toBe(0);
      expect(trained.stdout).toContain("trained 2 steps");
      expect(remote.stats().bytesFetched).toBeGreaterThan(0);
    } finally {
      setRemoteClient(previous);
    }
  });
});
