// LeRobot benchmarks, imported by bench/run.mjs (`rows.push(...await benchLeRobot())`) and runnable alone:
//   node packages/robot/bench/lerobot.mjs        (after `npx tsc -p packages/robot/tsconfig.json`)
// Every figure sits beside a baseline measured in the same run on the same bytes:
// - Parquet (images in Parquet): openLeRobot (defaults, batches of 32) → canonical RecordBatches, in rows/s and in MB/s of Parquet read,
//   beside fs.readFile of the same files (raw read speed) and core's ParquetTable row decode of them (the
//   Parquet floor under our validation and Arrow building);
// - video: openLeRobot decoding MP4 (h264) to JPEG frames, beside ffmpeg decoding the same files to nothing.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import sharp from "sharp";
import { ParquetTable, collect } from "@cotrain/core";
import { openLeRobot, readLeRobotMeta, writeLeRobot } from "@cotrain/robot";
import { measure, report } from "../../../tools/lib/bench-report.mjs";

const EPISODES = 16;
const STEPS = 100;
const SIZE = 96;

async function imagePool(n) {
  const pool = [];
  for (let i = 0; i < n; i++) {
    const pixels = Buffer.alloc(SIZE * SIZE * 3);
    for (let p = 0; p < pixels.length; p++) pixels[p] = (p * (i + 3) + ((p / (SIZE * 3)) | 0) * 7) & 0xff;
    pool.push(new Uint8Array(await sharp(pixels, { raw: { width: SIZE, height: SIZE, channels: 3 } }).jpeg({ quality: 85 }).toBuffer()));
  }
  return pool;
}

function* episodes(pool) {
  for (let e = 0; e < EPISODES; e++) {
    const frames = (c) => Array.from({ length: STEPS }, (_, t) => pool[(e * 7 + t * 3 + c) % pool.length]);
    yield {
      source: "bench", index: e, id: `episode_${e}`, length: STEPS,
      cameras: [{ name: "image_0", frames: frames(0) }, { name: "wrist", frames: frames(1) }],
      actions: Float32Array.from({ length: STEPS * 7 }, (_, i) => Math.sin(i + e)), actionDim: 7,
      states: Float32Array.from({ length: STEPS * 7 }, (_, i) => Math.cos(i - e)), stateDim: 7,
      instructions: ["pick up the block"],
    };
  }
}

function hasFfmpeg() {
  return spawnSync("ffmpeg", ["-hide_banner", "-version"]).status === 0;
}

/** A v2.1 video dataset: one h264 MP4 per episode, Parquet without image columns (written through writeLeRobot). */
async function videoDataset(dir, pool) {
  const frames = 3 * STEPS;
  await writeLeRobot(dir, [...episodes(pool)].slice(0, 3).map((e) => ({ ...e, cameras: [] })), { fps: 10 });
  const info = JSON.parse(readFileSync(join(dir, "meta/info.json"), "utf8"));
  info.video_path = "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4";
  info.features = { "observation.images.top": { dtype: "video", shape: [SIZE, SIZE, 3], info: { "video.fps": 10 } }, ...info.features };
  writeFileSync(join(dir, "meta/info.json"), JSON.stringify(info));
  const files = [];
  for (let e = 0; e < 3; e++) {
    const raw = Buffer.concat(await Promise.all(Array.from({ length: STEPS }, (_, t) => sharp(pool[(e + t) % pool.length]).raw().toBuffer())));
    const file = join(dir, `videos/chunk-000/observation.images.top/episode_${String(e).padStart(6, "0")}.mp4`);
    mkdirSync(join(dir, "videos/chunk-000/observation.images.top"), { recursive: true });
    const r = spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${SIZE}x${SIZE}`, "-r", "10", "-i", "pipe:0", "-c:v", "libx264", "-preset", "fast", "-pix_fmt", "yuv420p", file], { input: raw });
    if (r.status !== 0) throw new Error(r.stderr.toString());
    files.push(file);
  }
  return { files, frames };
}

export async function benchLeRobot() {
  const rows = [];
  const dir = mkdtempSync(join(tmpdir(), "cotrain-bench-lerobot-"));
  try {
    const pool = await imagePool(24);
    const data = join(dir, "parquet");
    await writeLeRobot(data, episodes(pool), { fps: 10 });
    const files = (await readLeRobotMeta(data)).episodes.map((e) => e.dataFile);
    const megabytes = files.reduce((sum, f) => sum + statSync(f).size, 0) / 1e6;
    const steps = EPISODES * STEPS;

    const ours = await measure(async () => {
      await collect(await openLeRobot(data, { batchSize: 32 }));
      return steps;
    }, { minMs: 3000 });
    const raw = await measure(() => {
      for (const f of files) readFileSync(f);
      return megabytes;
    });
    const library = await measure(async () => {
      for (const f of files) {
        const table = await ParquetTable.open(f);
        for (const group of table.rowGroups) await table.readRowGroup(group.index);
        await table.close();
      }
      return steps;
    }, { minMs: 3000 });
    const mbPerStep = megabytes / steps;
    rows.push({ name: `openLeRobot → batches of 32, defaults (${SIZE}px JPEG ×2, 7-D)`, value: ours.perSecond, unit: "rows/s", baseline: "ParquetTable row decode alone (parse-only floor)", baselineValue: library.perSecond });
    rows.push({ name: "LeRobot Parquet → canonical batches", value: ours.perSecond * mbPerStep, unit: "MB/s", baseline: "fs.readFile of the same Parquet bytes", baselineValue: raw.perSecond });

    if (hasFfmpeg()) {
      const video = join(dir, "video");
      const { files: mp4s, frames } = await videoDataset(video, pool);
      const decode = await measure(async () => {
        await collect(await openLeRobot(video, { batchSize: 64 }));
        return frames;
      }, { minMs: 3000, warmup: 1 });
      const ffmpegOnly = await measure(() => {
        for (const f of mp4s) spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", f, "-f", "null", "-"]);
        return frames;
      }, { minMs: 3000 });
      rows.push({ name: `LeRobot MP4 (h264 ${SIZE}px) → JPEG frames in batches`, value: decode.perSecond, unit: "frames/s", baseline: "ffmpeg decode to null, same files", baselineValue: ffmpegOnly.perSecond });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  report("@cotrain/robot (LeRobot)", await benchLeRobot());
}
