// Test fixtures for the LeRobot reader: episodes with real JPEG/PNG images (sharp), LeRobot folders whose Parquet
// DuckDB writes (an independent writer), and MP4 videos that ffmpeg encodes from known frames.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import sharp from "sharp";
import { DuckDBInstance } from "@duckdb/node-api";
import type { DuckDBConnection } from "@duckdb/node-api";
import type { RecordBatch } from "apache-arrow";
import { collect, fingerprint, fromRows } from "@cotrain/core";
import type { RowInput, Source } from "@cotrain/core";
import { episodeToRows } from "@cotrain/robot";
import type { Episode } from "@cotrain/robot";

export const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-lerobot-"));

/** A small solid-colour image with a per-image corner mark, so every image's bytes differ. */
export async function image(format: "jpeg" | "png", r: number, g: number, b: number, size = 32): Promise<Uint8Array> {
  const pixels = Buffer.alloc(size * size * 3);
  for (let p = 0; p < size * size; p++) pixels.set([r, g, b], p * 3);
  pixels.set([255 - r, 255 - g, 255 - b], 0);
  const img = sharp(pixels, { raw: { width: size, height: size, channels: 3 } });
  return new Uint8Array(await (format === "jpeg" ? img.jpeg({ quality: 90 }) : img.png()).toBuffer());
}

function floats(length: number, dim: number, seed: number): Float32Array {
  return Float32Array.from({ length: length * dim }, (_, i) => Math.fround(Math.sin(seed * 7.1 + i * 0.37) * (1 + (i % dim))));
}

/** Bridge-like: cameras image_0..image_3 (image_3 unused and all black, as in Bridge), 7-D action and state. */
export async function bridgeEpisode(index: number, length: number): Promise<Episode> {
  const black = await image("jpeg", 0, 0, 0);
  const cameras = [];
  for (let c = 0; c < 4; c++) {
    const frames: Uint8Array[] = [];
    for (let t = 0; t < length; t++) frames.push(c === 3 ? black : await image("jpeg", (index * 40 + t * 9) % 256, c * 60, 128));
    cameras.push({ name: `image_${c}`, frames });
  }
  return {
    source: "bridge", index, id: `episode_${String(index).padStart(6, "0")}`, length, cameras,
    actions: floats(length, 7, index + 1), actionDim: 7, states: floats(length, 7, index + 101), stateDim: 7,
    instructions: new Array(length).fill(index % 2 ? "put the spoon in the pot" : "open the drawer"),
  };
}

/** DROID-like: three 7-D cameras (PNG wrist camera), 7-D action and state, an action_dict extra, two instructions. */
export async function droidEpisode(index: number, length: number): Promise<Episode> {
  const names = ["exterior_image_1_left", "exterior_image_2_left", "wrist_image_left"];
  const cameras = [];
  for (const [c, name] of names.entries()) {
    const frames: Uint8Array[] = [];
    for (let t = 0; t < length; t++) frames.push(await image(c === 2 ? "png" : "jpeg", (t * 13 + index) % 256, 200 - c * 50, (index * 30) % 256));
    cameras.push({ name, frames });
  }
  return {
    source: "droid", index, id: `episode_${String(index).padStart(6, "0")}`, length, cameras,
    actions: floats(length, 7, index + 3), actionDim: 7, states: floats(length, 7, index + 203), stateDim: 7,
    instructions: Array.from({ length }, (_, t) => (t < length / 2 ? "pick up the marker" : "place the marker in the cup")),
    extras: { "action_dict/cartesian_position": { dim: 6, values: floats(length, 6, index + 301) } },
  };
}

/** The canonical batches a reader must yield for these episodes: episodeToRows, batched across episodes. */
export async function expectedFingerprints(episodes: Episode[], batchSize: number, chunk = 0): Promise<string[]> {
  const rows: RowInput[] = episodes.flatMap((e) => episodeToRows(e, { chunk }));
  return (await collect(fromRows(rows, { batchSize }))).map(fingerprint);
}

export async function fingerprintsOf(source: Source): Promise<string[]> {
  return (await collect(source)).map((b: RecordBatch) => fingerprint(b));
}

export async function duckdb(): Promise<DuckDBConnection> {
  return (await DuckDBInstance.create(":memory:")).connect();
}

// Through DOUBLE: DuckDB parses a bare literal as DECIMAL, whose cast to FLOAT can land one ulp off.
const floatList = (values: ArrayLike<number>): string => `[${Array.from(values, (v) => `'${v}'::DOUBLE`).join(", ")}]::FLOAT[]`;
const blob = (bytes: Uint8Array): string => `from_hex('${Buffer.from(bytes).toString("hex")}')`;

export interface DuckEpisodeOptions {
  /** `index` of the first row (the dataset-wide frame counter). */
  firstIndex: number;
  taskIndex: (t: number) => number;
  fps: number;
  /** Camera names written as `{bytes, path}` structs (the rest are expected to be videos). */
  imageCameras?: string[];
}

/** One SELECT producing an episode's rows as LeRobot columns (images as {bytes, path} structs). */
export function episodeSelect(episode: Episode, o: DuckEpisodeOptions): string {
  const rows: string[] = [];
  for (let t = 0; t < episode.length; t++) {
    const cols = [
      `${floatList(episode.states!.subarray(t * episode.stateDim, (t + 1) * episode.stateDim))} AS "observation.state"`,
      `${floatList(episode.actions.subarray(t * episode.actionDim, (t + 1) * episode.actionDim))} AS "action"`,
      `CAST(${t / o.fps} AS FLOAT) AS "timestamp"`,
      `${t}::BIGINT AS frame_index`, `${episode.index}::BIGINT AS episode_index`, `${o.firstIndex + t}::BIGINT AS "index"`, `${o.taskIndex(t)}::BIGINT AS task_index`,
      ...episode.cameras.filter((c) => (o.imageCameras ?? episode.cameras.map((x) => x.name)).includes(c.name))
        .map((c) => `{'bytes': ${blob(c.frames[t]!)}, 'path': NULL::VARCHAR} AS "observation.images.${c.name}"`),
    ];
    rows.push(`SELECT ${cols.join(", ")}`);
  }
  return rows.join(" UNION ALL ");
}

export async function copyToParquet(conn: DuckDBConnection, select: string, path: string, options = "COMPRESSION snappy"): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const order = /\bAS "index"/.test(select) ? ' ORDER BY "index"' : "";
  await conn.run(`COPY (SELECT * FROM (${select})${order}) TO '${path}' (FORMAT parquet, ${options})`);
}

/** Rewrites a Parquet file through DuckDB with `select` over `src` (e.g. to drop or corrupt a column). */
export async function rewriteParquet(conn: DuckDBConnection, path: string, select: (src: string) => string, options = "COMPRESSION snappy"): Promise<void> {
  const out = `${path}.rewrite.parquet`;
  await conn.run(`COPY (${select(`read_parquet('${path}')`)}) TO '${out}' (FORMAT parquet, ${options})`);
  renameSync(out, path);
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2));
}

export function writeJsonLines(path: string, values: unknown[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, values.map((v) => JSON.stringify(v)).join("\n") + "\n");
}

/** info.json features for episodes like these: cameras as `image` or `video`, 7-D state and action. */
export function featuresFor(episode: Episode, cameraDtype: (name: string) => "image" | "video", fps: number, size = 32): Record<string, unknown> {
  const features: Record<string, unknown> = {};
  for (const c of episode.cameras) {
    const dtype = cameraDtype(c.name);
    features[`observation.images.${c.name}`] = { dtype, shape: [size, size, 3], names: ["height", "width", "channel"], ...(dtype === "video" ? { info: { "video.fps": fps, "video.codec": "h264" } } : {}) };
  }
  features["observation.state"] = { dtype: "float32", shape: [episode.stateDim], names: null };
  features.action = { dtype: "float32", shape: [episode.actionDim], names: null };
  features.timestamp = { dtype: "float32", shape: [1], names: null };
  for (const k of ["frame_index", "episode_index", "index", "task_index"]) features[k] = { dtype: "int64", shape: [1], names: null };
  return features;
}

// ---- video ----

export function ffmpegEncoders(): string {
  return spawnSync("ffmpeg", ["-hide_banner", "-encoders"], { encoding: "utf8" }).stdout ?? "";
}

export const GREY_STEP = 12;

/** Encodes `count` solid grey frames (frame i has level i × GREY_STEP) at `fps` into an MP4 with `codec`. */
export function makeVideo(path: string, count: number, fps: number, codec: string, size = 32): void {
  mkdirSync(dirname(path), { recursive: true });
  const frame = size * size * 3;
  const raw = Buffer.alloc(frame * count);
  for (let i = 0; i < count; i++) raw.fill((i * GREY_STEP) % 256, i * frame, (i + 1) * frame);
  const codecArgs: Record<string, string[]> = {
    libx264: ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"],
    mpeg4: ["-c:v", "mpeg4", "-q:v", "2", "-pix_fmt", "yuv420p"],
    "libaom-av1": ["-c:v", "libaom-av1", "-cpu-used", "8", "-crf", "20", "-b:v", "0", "-pix_fmt", "yuv420p"],
    libsvtav1: ["-c:v", "libsvtav1", "-preset", "12", "-crf", "20", "-pix_fmt", "yuv420p"],
  };
  const args = ["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${size}x${size}`, "-r", String(fps), "-i", "pipe:0", ...(codecArgs[codec] ?? ["-c:v", codec]), path];
  const r = spawnSync("ffmpeg", args, { input: raw });
  if (r.status !== 0) throw new Error(`ffmpeg failed to encode ${codec}: ${r.stderr?.toString()}`);
}

/** Mean of the first channel of an encoded image, which identifies the grey frame it came from. */
export async function greyLevel(bytes: Uint8Array): Promise<number> {
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  for (let p = 0; p < data.length; p += info.channels) sum += data[p]!;
  return sum / (data.length / info.channels);
}
