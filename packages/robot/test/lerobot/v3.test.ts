// LeRobot codebase v3.0: several episodes per data file and per video file, episodes and tasks as Parquet under
// meta/. DuckDB writes every Parquet file; ffmpeg writes one MP4 holding all three episodes of a camera.
import { cpSync } from "node:fs";
import { join } from "node:path";
import parquet from "parquetjs-lite";
import { beforeAll, describe, expect, it } from "vitest";
import { RemoteClient, batchToRows, collect, fingerprint, setRemoteClient } from "@cotrain/core";
import { openLeRobot, readLeRobotMeta } from "@cotrain/robot";
import type { Episode } from "@cotrain/robot";
import { runResumeTest, startFixtureServer } from "@cotrain/test-utils";
import type { DuckDBConnection } from "@duckdb/node-api";
import { GREY_STEP, bridgeEpisode, copyToParquet, duckdb, episodeSelect, featuresFor, greyLevel, makeVideo, tmp, writeJson } from "./fixtures.js";

const FPS = 10;
let conn: DuckDBConnection;
let episodes: Episode[];
let dir: string;
/** Frame of the shared video where each episode starts. */
const videoStart = [0, 6, 14];

const tasks = ["open the drawer", "put the spoon in the pot"];

beforeAll(async () => {
  conn = await duckdb();
  episodes = [await bridgeEpisode(0, 6), await bridgeEpisode(1, 8), await bridgeEpisode(2, 5)];
  for (const e of episodes) e.cameras = [e.cameras[0]!, { name: "top", frames: [] }];
  dir = tmp();
  // Episodes 0 and 1 share data file-000; episode 2 is in file-001. All three share one video file.
  const select = (e: Episode, first: number) => episodeSelect(e, { firstIndex: first, taskIndex: (t) => (t < 2 ? 0 : 1), fps: FPS, imageCameras: ["image_0"] });
  await copyToParquet(conn, `${select(episodes[0]!, 0)} UNION ALL ${select(episodes[1]!, 6)}`, join(dir, "data/chunk-000/file-000.parquet"));
  await copyToParquet(conn, select(episodes[2]!, 14), join(dir, "data/chunk-000/file-001.parquet"));
  makeVideo(join(dir, "videos/observation.images.top/chunk-000/file-000.mp4"), 19, FPS, "libx264");
  const features = featuresFor(episodes[0]!, (name) => (name === "top" ? "video" : "image"), FPS);
  writeJson(join(dir, "meta/info.json"), {
    codebase_version: "v3.0", robot_type: "widowx", total_episodes: 3, total_frames: 19, total_tasks: 2, chunks_size: 1000, data_files_size_in_mb: 100, video_files_size_in_mb: 500, fps: FPS,
    splits: { train: "0:3" }, data_path: "data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet",
    video_path: "videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4", features,
  });
  writeJson(join(dir, "meta/stats.json"), { action: { mean: [0, 0, 0, 0, 0, 0, 0] } });
  const top = "videos/observation.images.top";
  const meta = episodes.map((e, i) => `SELECT ${e.index}::BIGINT AS episode_index, ['${tasks[0]}', '${tasks[1]}'] AS tasks, ${e.length}::BIGINT AS length,
    ${videoStart[i]}::BIGINT AS dataset_from_index, ${videoStart[i]! + e.length}::BIGINT AS dataset_to_index,
    0::BIGINT AS "data/chunk_index", ${i === 2 ? 1 : 0}::BIGINT AS "data/file_index",
    0::BIGINT AS "${top}/chunk_index", 0::BIGINT AS "${top}/file_index",
    ${videoStart[i]! / FPS}::DOUBLE AS "${top}/from_timestamp", ${(videoStart[i]! + e.length) / FPS}::DOUBLE AS "${top}/to_timestamp",
    [0.5, 0.25]::DOUBLE[] AS "stats/action/mean", 0::BIGINT AS "meta/episodes/chunk_index", 0::BIGINT AS "meta/episodes/file_index"`);
  await copyToParquet(conn, meta.join(" UNION ALL "), join(dir, "meta/episodes/chunk-000/file-000.parquet"));
  // pandas writes the task strings as the frame's index, a column named "task".
  await conn.run(`COPY (SELECT * FROM (VALUES (0::BIGINT, '${tasks[0]}'), (1::BIGINT, '${tasks[1]}')) t(task_index, task)) TO '${join(dir, "meta/tasks.parquet")}' (FORMAT parquet)`);
});

describe("LeRobot codebase v3.0", () => {
  it("locates each episode's rows and video span from meta/episodes", async () => {
    const meta = await readLeRobotMeta(dir);
    expect(meta.info.layout).toBe("v3");
    expect(meta.episodes.map((e) => [e.index, e.length, e.rowOffset, e.dataFile.slice(dir.length + 1)])).toEqual([
      [0, 6, 0, "data/chunk-000/file-000.parquet"], [1, 8, 6, "data/chunk-000/file-000.parquet"], [2, 5, 0, "data/chunk-000/file-001.parquet"],
    ]);
    expect(meta.episodes[1]!.videos["observation.images.top"]).toEqual({ file: join(dir, "videos/observation.images.top/chunk-000/file-000.mp4"), fromTimestamp: 0.6 });
    expect([...meta.tasks]).toEqual([[0, tasks[0]], [1, tasks[1]]]);
  });

  it("refuses an episode's task that is not UTF-8 text, naming the file, row and field", async () => {
    const copy = tmp();
    cpSync(dir, copy, { recursive: true });
    // DuckDB writes the tasks as a list of BLOBs, the second episode's second task holding a lone 0xFF byte.
    const file = join(copy, "meta/episodes/chunk-000/file-000.parquet");
    await copyToParquet(conn, `SELECT * REPLACE (CASE WHEN episode_index = 1 THEN ['ok'::BLOB, '\\xFF'::BLOB] ELSE ['ok'::BLOB, 'fine'::BLOB] END AS tasks) FROM read_parquet('${join(dir, "meta/episodes/chunk-000/file-000.parquet")}')`, file);
    await expect(readLeRobotMeta(copy)).rejects.toMatchObject({ code: "LEROBOT_META_FIELD", file, row: 1, field: "tasks", message: expect.stringContaining("tasks[1] must be a UTF-8 string") });
  });

  it("reads every step with its action, task, Parquet image and video frame", async () => {
    const rows = (await collect(await openLeRobot(dir, { batchSize: 4, videoFormat: "png" }))).flatMap(batchToRows);
    expect(rows).toHaveLength(19);
    for (const row of rows) {
      const e = episodes[row.episode_index!]!;
      const t = row.step_index!;
      expect(row.cameras).toEqual(["image_0", "top"]);
      expect(Array.from(row.action!)).toEqual(Array.from(e.actions.subarray(t * 7, t * 7 + 7)));
      expect(Array.from(row.state!)).toEqual(Array.from(e.states!.subarray(t * 7, t * 7 + 7)));
      expect(row.messages[0]!.content).toBe(tasks[t < 2 ? 0 : 1]);
      expect(Buffer.from(row.images[0]!).equals(Buffer.from(e.cameras[0]!.frames[t]!))).toBe(true);
      // The shared video: episode e's step t is frame videoStart[e] + t (ffmpeg seeks into the file).
      expect(Math.abs((await greyLevel(row.images[1]!)) - (videoStart[row.episode_index!]! + t) * GREY_STEP)).toBeLessThanOrEqual(3);
    }
  });

  it("reads episodes from the middle of files split into small row groups", async () => {
    // Rewrite file-000 with parquetjs-lite, three rows per row group, so episode 1 starts inside the third group.
    const file = join(dir, "data/chunk-000/file-000.parquet");
    const rows = (await conn.runAndReadAll(`SELECT * FROM read_parquet('${file}')`)).getRowObjectsJS();
    const small = join(tmp(), "small.parquet");
    const schema = new parquet.ParquetSchema({
      "observation.state": { type: "FLOAT", repeated: true }, action: { type: "FLOAT", repeated: true }, timestamp: { type: "FLOAT" },
      frame_index: { type: "INT64" }, episode_index: { type: "INT64" }, index: { type: "INT64" }, task_index: { type: "INT64" },
      "observation.images.image_0": { fields: { bytes: { type: "BYTE_ARRAY" }, path: { type: "UTF8", optional: true } } },
    });
    const writer = await parquet.ParquetWriter.openFile(schema, small, { rowGroupSize: 3 });
    for (const r of rows) {
      const image = r["observation.images.image_0"] as { bytes: Uint8Array };
      await writer.appendRow({ ...r, "observation.images.image_0": { bytes: Buffer.from(image.bytes) } });
    }
    await writer.close();
    const copy = join(tmp(), "v3");
    cpSync(dir, copy, { recursive: true });
    cpSync(small, join(copy, "data/chunk-000/file-000.parquet"));
    const source = await openLeRobot(copy, { batchSize: 4, cameras: ["observation.images.image_0"] });
    source.restore({ epoch: 0, position: 1, step: 3, episodes: 3, skipped: {} });
    const got = (await collect(source)).flatMap(batchToRows);
    expect(got.map((r) => [r.episode_index, r.step_index])).toEqual([[1, 3], [1, 4], [1, 5], [1, 6], [1, 7], [2, 0], [2, 1], [2, 2], [2, 3], [2, 4]]);
    expect(Array.from(got[0]!.action!)).toEqual(Array.from(episodes[1]!.actions.subarray(21, 28)));
  });

  it("resumes mid-episode (runResumeTest)", async () => {
    // Batch 2 ends at step 4 of episode 1, the middle of a file shared with episode 0.
    const report = await runResumeTest(() => openLeRobot(dir, { batchSize: 5, chunk: 3 }), [2]);
    expect(report.total).toBe(4);
  });

  it("reads over HTTP exactly as from disk: episode metadata found by name, the video fetched into the cache for ffmpeg", async () => {
    // The fixture server never lists a folder: meta/episodes/chunk-000/file-000.parquet is found by asking for it.
    const server = await startFixtureServer(dir);
    const remote = new RemoteClient({ cacheDir: tmp(), blockSize: 8192, backoffMs: 1 });
    const previous = setRemoteClient(remote);
    try {
      const local = (await collect(await openLeRobot(dir, { batchSize: 4, videoFormat: "png", source: "v3" }))).map(fingerprint);
      const meta = await readLeRobotMeta(server.url);
      expect(meta.episodes.map((e) => e.dataFile)).toEqual(["file-000", "file-000", "file-001"].map((f) => `${server.url}/data/chunk-000/${f}.parquet`));
      const got = (await collect(await openLeRobot(server.url, { batchSize: 4, videoFormat: "png", source: "v3" }))).map(fingerprint);
      expect(got).toEqual(local);
      expect(server.requests.filter((r) => r.path.endsWith(".mp4") && r.method === "GET").length).toBeGreaterThan(0);
      expect(server.requests.some((r) => r.path === "/meta/episodes/chunk-000/file-001.parquet" && r.status === 404)).toBe(true);
      expect(remote.stats().failed).toBe(0);
    } finally {
      setRemoteClient(previous);
      await server.close();
    }
  });
});
