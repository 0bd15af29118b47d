// Video-backed LeRobot v2.1 datasets: real MP4s that ffmpeg encodes here from frames of known grey levels (frame i
// is level i × GREY_STEP), so each decoded image tells which video frame a step received.
import { chmodSync, cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FormatError, MissingError, UnsupportedError, batchToRows, collect } from "@cotrain/core";
import { openLeRobot, writeLeRobot } from "@cotrain/robot";
import type { Episode } from "@cotrain/robot";
import { runResumeTest, errorOf } from "@cotrain/test-utils";
import type { DuckDBConnection } from "@duckdb/node-api";
import { GREY_STEP, copyToParquet, duckdb, episodeSelect, ffmpegEncoders, featuresFor, greyLevel, makeVideo, tmp, writeJson, writeJsonLines, bridgeEpisode } from "./fixtures.js";

const FPS = 10;
const LENGTHS = [6, 8, 5];
let conn: DuckDBConnection;
/** Two h264 cameras (top, wrist); tests that change files work on a copy. */
let h264: string;

beforeAll(async () => {
  conn = await duckdb();
  h264 = await videoDataset("libx264");
});

function copyOf(dir: string): string {
  const copy = join(tmp(), "copy");
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/** Episodes without frames: their cameras are videos. */
function episodeMeta(index: number, length: number, cameras: string[]): Episode {
  return {
    source: "video", index, id: `episode_${String(index).padStart(6, "0")}`, length, cameras: cameras.map((name) => ({ name, frames: [] })),
    actions: Float32Array.from({ length: length * 4 }, (_, i) => i / 8 + index), actionDim: 4,
    states: Float32Array.from({ length: length * 3 }, (_, i) => -i / 4 - index), stateDim: 3, instructions: ["stack the cups"],
  };
}

/** A v2.1 folder with one MP4 per camera and episode; `videoFps` may exceed the data fps (steps then skip frames). */
async function videoDataset(codec: string, cameras = ["top", "wrist"], videoFps = FPS, size = 32): Promise<string> {
  const dir = tmp();
  const episodes = LENGTHS.map((n, i) => episodeMeta(i, n, cameras));
  let first = 0;
  for (const e of episodes) {
    await copyToParquet(conn, episodeSelect(e, { firstIndex: first, taskIndex: () => 0, fps: FPS, imageCameras: [] }), join(dir, `data/chunk-000/episode_${String(e.index).padStart(6, "0")}.parquet`));
    for (const c of cameras) makeVideo(join(dir, `videos/chunk-000/observation.images.${c}/episode_${String(e.index).padStart(6, "0")}.mp4`), (e.length * videoFps) / FPS, videoFps, codec, size);
    first += e.length;
  }
  const features = featuresFor(episodes[0]!, () => "video", videoFps, size);
  writeJson(join(dir, "meta/info.json"), {
    codebase_version: "v2.1", robot_type: "so100", total_episodes: 3, total_frames: first, total_tasks: 1, total_videos: 6, total_chunks: 1, chunks_size: 1000, fps: FPS,
    splits: { train: "0:3" }, data_path: "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet",
    video_path: "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4", features,
  });
  writeJsonLines(join(dir, "meta/tasks.jsonl"), [{ task_index: 0, task: "stack the cups" }]);
  writeJsonLines(join(dir, "meta/episodes.jsonl"), episodes.map((e) => ({ episode_index: e.index, tasks: ["stack the cups"], length: e.length })));
  return dir;
}


/** Asserts every row's images show video frame `frameOf(step)`. */
async function expectFrames(dir: string, options: Parameters<typeof openLeRobot>[1], frameOf: (step: number) => number, tolerance: number): Promise<void> {
  const rows = (await collect(await openLeRobot(dir, options))).flatMap(batchToRows);
  expect(rows).toHaveLength(19);
  for (const row of rows) {
    for (const img of row.images) expect(Math.abs((await greyLevel(img)) - frameOf(row.step_index!) * GREY_STEP)).toBeLessThanOrEqual(tolerance);
  }
}

const encoders = ffmpegEncoders();
const av1 = ["libaom-av1", "libsvtav1"].find((e) => new RegExp(`\\b${e}\\b`).test(encoders));

describe("LeRobot video features (ffmpeg)", () => {
  it("decodes h264 with one ffmpeg run per episode and camera, mapping frames to steps by timestamp", async () => {
    const dir = h264;
    const log = join(tmp(), "ffmpeg.log");
    const wrapper = join(tmp(), "ffmpeg-counting");
    const real = spawnSync("sh", ["-c", "command -v ffmpeg"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    const rows = (await collect(await openLeRobot(dir, { batchSize: 5, ffmpegPath: wrapper, videoFormat: "png" }))).flatMap(batchToRows);
    const runs = readFileSync(log, "utf8").trim().split("\n").filter((l) => l.includes("image2pipe"));
    expect(runs).toHaveLength(6);
    expect(rows.map((r) => r.cameras)).toEqual(new Array(19).fill(["top", "wrist"]));
    expect(rows.every((r) => r.images.every((b) => Buffer.from(b.subarray(1, 4)).toString() === "PNG"))).toBe(true);
    for (const row of rows) for (const img of row.images) expect(Math.abs((await greyLevel(img)) - row.step_index! * GREY_STEP)).toBeLessThanOrEqual(3);
    expect(Array.from(rows[6]!.action!)).toEqual([0 / 8 + 1, 1 / 8 + 1, 2 / 8 + 1, 3 / 8 + 1]);
  });

  it("hands out JPEG frames by default, for the cameras asked for", async () => {
    const rows = (await collect(await openLeRobot(h264, { cameras: ["observation.images.wrist"] }))).flatMap(batchToRows);
    expect(rows).toHaveLength(19);
    for (const row of rows) {
      expect(row.cameras).toEqual(["wrist"]);
      expect([row.images[0]![0], row.images[0]![1]]).toEqual([0xff, 0xd8]);
      expect(Math.abs((await greyLevel(row.images[0]!)) - row.step_index! * GREY_STEP)).toBeLessThanOrEqual(4);
    }
  });

  it.runIf(av1 !== undefined)(`decodes AV1 (encoded with ${av1})`, async () => {
    const dir = await videoDataset(av1!, ["top"], FPS, av1 === "libsvtav1" ? 64 : 32);
    await expectFrames(dir, {}, (t) => t, 4);
  });

  it("decodes MPEG-4 part 2", async () => {
    await expectFrames(await videoDataset("mpeg4", ["top"]), { videoFormat: "png" }, (t) => t, 4);
  });

  it("addresses frames by timestamp when the video has more frames than steps", async () => {
    // 20 fps video under 10 fps data: step t is at t / 10 s, which is video frame 2t.
    await expectFrames(await videoDataset("libx264", ["top"], 20), { videoFormat: "png" }, (t) => 2 * t, 3);
  });

  it("raises FormatError naming the video, row and camera when a video is shorter than its steps", async () => {
    const dir = copyOf(h264);
    const video = join(dir, "videos/chunk-000/observation.images.top/episode_000001.mp4");
    makeVideo(video, 5, FPS, "libx264");
    const error = await errorOf(async () => collect(await openLeRobot(dir)));
    expect(error).toBeInstanceOf(FormatError);
    expect([error.code, error.file, error.row, error.field]).toEqual(["LEROBOT_VIDEO_FRAMES", video, 5, "observation.images.top"]);
  });

  it("reports a missing video file as MissingError, which onError \"skip\" counts", async () => {
    const dir = copyOf(h264);
    rmSync(join(dir, "videos/chunk-000/observation.images.top/episode_000002.mp4"));
    const error = await errorOf(async () => collect(await openLeRobot(dir)));
    expect(error).toBeInstanceOf(MissingError);
    expect(error.code).toBe("LEROBOT_VIDEO_MISSING");
    const source = await openLeRobot(dir, { onError: "skip" });
    expect((await collect(source)).flatMap(batchToRows)).toHaveLength(14);
    expect(source.skipped()).toEqual({ LEROBOT_VIDEO_MISSING: 1 });
  });

  it("raises UnsupportedError saying how to install ffmpeg when it is missing; image datasets need no ffmpeg", async () => {
    const error = await errorOf(() => openLeRobot(h264, { ffmpegPath: "/nonexistent/bin/ffmpeg" }));
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error.code).toBe("FFMPEG_MISSING");
    expect(error.message).toContain("apt-get install ffmpeg");
    expect(error.message).toContain("/nonexistent/bin/ffmpeg");
    const images = join(tmp(), "images");
    await writeLeRobot(images, [await bridgeEpisode(0, 2)], { fps: FPS });
    expect((await collect(await openLeRobot(images, { ffmpegPath: "/nonexistent/bin/ffmpeg" }))).flatMap(batchToRows)).toHaveLength(2);
  });

  it("resumes mid-episode on a video dataset (runResumeTest)", async () => {
    // One camera and three checkpoints (two inside an episode) keep the ffmpeg runs few.
    const options = { batchSize: 4, shuffleEpisodes: true, seed: 5, cameras: ["observation.images.top"] };
    const report = await runResumeTest(() => openLeRobot(h264, options), [1, 2, 5]);
    expect(report.total).toBe(5);
  });
});
