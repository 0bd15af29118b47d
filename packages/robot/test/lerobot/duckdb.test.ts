// Interop: LeRobot folders whose Parquet an independent writer (DuckDB) produced, in the layouts and encodings
// that real datasets use, and the reverse direction (DuckDB reads what writeLeRobot writes).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { batchToRows, collect } from "@cotrain/core";
import { openLeRobot, writeLeRobot } from "@cotrain/robot";
import type { Episode } from "@cotrain/robot";
import type { DuckDBConnection } from "@duckdb/node-api";
import { bridgeEpisode, copyToParquet, duckdb, episodeSelect, expectedFingerprints, featuresFor, fingerprintsOf, tmp, writeJson, writeJsonLines } from "./fixtures.js";

const FPS = 5;
let conn: DuckDBConnection;
let episodes: Episode[];

beforeAll(async () => {
  conn = await duckdb();
  episodes = [await bridgeEpisode(0, 6), await bridgeEpisode(1, 4), await bridgeEpisode(2, 5)];
});

const taskOf = (e: Episode): number => (e.index % 2 ? 1 : 0);
const tasks = [{ task_index: 0, task: "open the drawer" }, { task_index: 1, task: "put the spoon in the pot" }];

/** A v2.1 folder: DuckDB writes each episode's Parquet; meta is written as LeRobot writes it. */
async function duckV21(options = "COMPRESSION snappy"): Promise<string> {
  const dir = tmp();
  let first = 0;
  for (const e of episodes) {
    await copyToParquet(conn, episodeSelect(e, { firstIndex: first, taskIndex: () => taskOf(e), fps: FPS }), join(dir, `data/chunk-000/episode_${String(e.index).padStart(6, "0")}.parquet`), options);
    first += e.length;
  }
  writeJson(join(dir, "meta/info.json"), {
    codebase_version: "v2.1", robot_type: "widowx", total_episodes: 3, total_frames: first, total_tasks: 2, total_videos: 0, total_chunks: 1, chunks_size: 1000, fps: FPS,
    splits: { train: "0:3" }, data_path: "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet", video_path: null,
    features: featuresFor(episodes[0]!, () => "image", FPS),
  });
  writeJsonLines(join(dir, "meta/tasks.jsonl"), tasks);
  writeJsonLines(join(dir, "meta/episodes.jsonl"), episodes.map((e) => ({ episode_index: e.index, tasks: [tasks[taskOf(e)]!.task], length: e.length })));
  return dir;
}


describe("LeRobot Parquet written by DuckDB", () => {
  it("reads snappy files with list<float> and {bytes, path} struct columns, including dictionary-encoded image bytes", async () => {
    const dir = await duckV21();
    const file = join(dir, "data/chunk-000/episode_000000.parquet");
    const layout = await conn.runAndReadAll(`SELECT path_in_schema, compression, encodings FROM parquet_metadata('${file}')`);
    const columns = layout.getRowObjectsJS();
    expect(columns.find((c) => c.path_in_schema === "action, list, element")?.compression).toBe("SNAPPY");
    // The unused camera repeats one black JPEG, which DuckDB stores as a dictionary: the case parquetjs-lite alone corrupts.
    expect(String(columns.find((c) => c.path_in_schema === "observation.images.image_3, bytes")?.encodings)).toContain("DICTIONARY");
    const source = await openLeRobot(dir, { batchSize: 4, source: "bridge" });
    expect(await fingerprintsOf(source)).toEqual(await expectedFingerprints(episodes, 4));
  });

  it("reads a file whose footer says format version 2, as pyarrow writes by default", async () => {
    const dir = await duckV21();
    const file = join(dir, "data/chunk-000/episode_000001.parquet");
    // FileMetaData field 1 (version, i32) opens the footer: compact-protocol header 0x15, zigzag varint 2 → 4.
    const bytes = readFileSync(file);
    const footer = bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
    expect([bytes[footer], bytes[footer + 1]]).toEqual([0x15, 0x02]);
    bytes[footer + 1] = 0x04;
    writeFileSync(file, bytes);
    expect(await fingerprintsOf(await openLeRobot(dir, { batchSize: 4, source: "bridge" }))).toEqual(await expectedFingerprints(episodes, 4));
  });

  it("reads gzip and uncompressed files", async () => {
    for (const codec of ["gzip", "uncompressed"]) {
      const dir = await duckV21(`COMPRESSION ${codec}`);
      expect(await fingerprintsOf(await openLeRobot(dir, { batchSize: 8, source: "bridge" }))).toEqual(await expectedFingerprints(episodes, 8));
    }
  });

  it("reads ZSTD files with format V2 encodings (DELTA_*, BYTE_STREAM_SPLIT, RLE_DICTIONARY), as the Hub's tables come", async () => {
    const dir = await duckV21("COMPRESSION zstd, PARQUET_VERSION V2");
    const file = join(dir, "data/chunk-000/episode_000000.parquet");
    const columns = (await conn.runAndReadAll(`SELECT path_in_schema, compression, encodings FROM parquet_metadata('${file}')`)).getRowObjectsJS();
    expect(new Set(columns.map((c) => c.compression))).toEqual(new Set(["ZSTD"]));
    const encodings = columns.map((c) => String(c.encodings)).join(",");
    for (const e of ["DELTA_BINARY_PACKED", "BYTE_STREAM_SPLIT", "RLE_DICTIONARY"]) expect(encodings).toContain(e);
    expect(await fingerprintsOf(await openLeRobot(dir, { batchSize: 4, source: "bridge" }))).toEqual(await expectedFingerprints(episodes, 4));
  });

  it("reads LZ4_RAW and BROTLI files", async () => {
    for (const codec of ["lz4", "brotli"]) {
      const dir = await duckV21(`COMPRESSION ${codec}`);
      expect(await fingerprintsOf(await openLeRobot(dir, { batchSize: 8, source: "bridge" }))).toEqual(await expectedFingerprints(episodes, 8));
    }
  });

  it("reads RLE_DICTIONARY data pages (the dictionary encoding's name in format 2.x files)", async () => {
    const dir = tmp();
    const e = episodes[1]!;
    const img = Buffer.from(e.cameras[0]!.frames[0]!).toString("hex");
    const file = join(dir, "data/chunk-000/episode_000000.parquet");
    mkdirSync(dirname(file), { recursive: true });
    // Constant columns make DuckDB's v2 writer choose RLE_DICTIONARY for every column read (an image's path is not read).
    await conn.run(`COPY (SELECT ['0.5'::DOUBLE, '-0.25'::DOUBLE]::FLOAT[] AS action, 0::BIGINT AS episode_index, 0::BIGINT AS task_index,
      {'bytes': from_hex('${img}'), 'path': NULL::VARCHAR} AS "observation.images.top" FROM range(30)) TO '${file}' (FORMAT parquet, PARQUET_VERSION V2)`);
    const encodings = (await conn.runAndReadAll(`SELECT path_in_schema, encodings FROM parquet_metadata('${file}')`)).getRowObjectsJS();
    expect(encodings.filter((c) => !String(c.path_in_schema).endsWith("path")).map((c) => c.encodings)).toEqual(["RLE_DICTIONARY", "RLE_DICTIONARY", "RLE_DICTIONARY", "RLE_DICTIONARY"]);
    writeJson(join(dir, "meta/info.json"), {
      codebase_version: "v2.1", fps: FPS, chunks_size: 1000, data_path: "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet", video_path: null,
      features: { "observation.images.top": { dtype: "image", shape: [32, 32, 3] }, action: { dtype: "float32", shape: [2] } },
    });
    writeJsonLines(join(dir, "meta/tasks.jsonl"), [{ task_index: 0, task: "wipe" }]);
    writeJsonLines(join(dir, "meta/episodes.jsonl"), [{ episode_index: 0, tasks: ["wipe"], length: 30 }]);
    const rows = (await collect(await openLeRobot(dir))).flatMap(batchToRows);
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => Buffer.from(r.images[0]!).toString("hex") === img && r.action!.join() === "0.5,-0.25")).toBe(true);
    expect(rows[29]!.state).toBeNull();
  });

  it("writes Parquet that DuckDB reads as LeRobot's types: list<float> and struct<bytes, path>", async () => {
    const dir = tmp();
    await writeLeRobot(dir, episodes.slice(0, 1), { fps: FPS });
    const file = join(dir, "data/chunk-000/episode_000000.parquet");
    const types = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS();
    const typeOf = (name: string) => types.find((t) => t.column_name === name)?.column_type;
    expect(typeOf("action")).toBe("FLOAT[]");
    expect(typeOf("observation.images.image_0")).toBe("STRUCT(bytes BLOB, path VARCHAR)");
    expect(typeOf("index")).toBe("BIGINT");
    const rows = (await conn.runAndReadAll(`SELECT action, "observation.images.image_1".bytes AS img, frame_index FROM read_parquet('${file}') ORDER BY frame_index`)).getRowObjectsJS();
    expect(rows).toHaveLength(6);
    const e = episodes[0]!;
    expect((rows[2]!.action as number[]).map(Math.fround)).toEqual(Array.from(e.actions.subarray(14, 21)));
    expect(Buffer.from(rows[2]!.img as Uint8Array).equals(Buffer.from(e.cameras[1]!.frames[2]!))).toBe(true);
  });
});
