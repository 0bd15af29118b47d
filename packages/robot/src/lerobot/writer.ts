import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import parquet from "parquetjs-lite";
import type { FieldSpec } from "parquetjs-lite";
import { ValueError, writeAtomically } from "@cotrain/core";
import { probeImage } from "@cotrain/vision";
import type { Episode } from "../episode.js";
import { imageStats, vectorStats } from "./episode-stats.js";
import type { FeatureStats } from "./episode-stats.js";
import { checkImage } from "./image-check.js";
import { INFO_PATH } from "./info.js";
import type { LeRobotFeature } from "./info.js";
import { expandPathTemplate } from "./path-template.js";
import { checkWritable, datasetLayout } from "./writer-layout.js";
import type { DatasetLayout } from "./writer-layout.js";

export interface WriteLeRobotOptions {
  /** Frames per second; step t gets timestamp t / fps. */
  fps: number;
  /** info.json `robot_type` (default null). */
  robotType?: string | null;
  /** Episodes per `data/chunk-XXX` folder (default 1000, as LeRobot). */
  chunksSize?: number;
  /** Parquet rows per row group (default 256), which bounds the writer's memory. */
  rowGroupSize?: number;
  /** info.json `names` of the action and state dimensions (default null). */
  actionNames?: string[];
  stateNames?: string[];
}

export interface WriteLeRobotResult {
  episodes: number;
  frames: number;
  tasks: number;
  /** Paths written, relative to the dataset folder. */
  files: string[];
}

export const DATA_PATH = "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet";
const SNAPPY = "SNAPPY";

function parquetSchema(layout: DatasetLayout): InstanceType<typeof parquet.ParquetSchema> {
  const fields: Record<string, FieldSpec> = {};
  for (const key of layout.cameraKeys) {
    fields[key] = { fields: { bytes: { type: "BYTE_ARRAY", compression: SNAPPY }, path: { type: "UTF8", optional: true, compression: SNAPPY } } };
  }
  for (const [key] of layout.vectors) fields[key] = { type: "FLOAT", repeated: true, compression: SNAPPY };
  fields.timestamp = { type: "FLOAT", compression: SNAPPY };
  for (const key of ["frame_index", "episode_index", "index", "task_index"]) fields[key] = { type: "INT64", compression: SNAPPY };
  return new parquet.ParquetSchema(fields);
}

async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeAtomically(path, (tmp) => writeFile(tmp, text));
}

/**
 * Writes episodes as a LeRobot codebase v2.1 dataset with images embedded in the Parquet files as `{bytes, path}`
 * structs (`dtype: "image"`): `data/chunk-XXX/episode_XXXXXX.parquet` per episode, `meta/tasks.jsonl`,
 * `meta/episodes.jsonl`, `meta/episodes_stats.jsonl` and `meta/info.json`. Every file is written under a
 * temporary name and renamed when complete, and info.json comes last, so an interrupted write never leaves a
 * folder that opens as a whole dataset. Episodes are numbered 0, 1, ... in the order given (LeRobot requires
 * contiguous indices); each distinct instruction becomes a task.
 */
export async function writeLeRobot(dir: string, episodes: Iterable<Episode> | AsyncIterable<Episode>, options: WriteLeRobotOptions): Promise<WriteLeRobotResult> {
  const { fps } = options;
  if (!(typeof fps === "number" && fps > 0)) throw new RangeError(`fps must be a positive number, got ${fps}`);
  const chunksSize = options.chunksSize ?? 1000;
  const rowGroupSize = options.rowGroupSize ?? 256;
  if (!Number.isInteger(chunksSize) || chunksSize < 1) throw new RangeError(`chunksSize must be a positive integer, got ${chunksSize}`);
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1) throw new RangeError(`rowGroupSize must be a positive integer, got ${rowGroupSize}`);
  let layout: DatasetLayout | null = null;
  let schema: InstanceType<typeof parquet.ParquetSchema> | null = null;
  const tasks = new Map<string, number>();
  const episodeLines: string[] = [];
  const statsLines: string[] = [];
  const files: string[] = [];
  const imageShapes = new Map<string, number[]>();
  let frames = 0;
  let count = 0;
  for await (const episode of episodes) {
    const index = count++;
    layout ??= datasetLayout(episode);
    schema ??= parquetSchema(layout);
    checkWritable(episode, layout);
    for (const [c, camera] of episode.cameras.entries()) {
      const key = layout.cameraKeys[c] as string;
      for (let t = 0; t < episode.length; t++) await checkImage(camera.frames[t] as Uint8Array, "header", { id: episode.id, row: t, field: camera.name });
      if (!imageShapes.has(key) && episode.length > 0) {
        const info = await probeImage(camera.frames[0] as Uint8Array, { id: episode.id, row: 0, field: camera.name });
        imageShapes.set(key, [info.height, info.width, info.channels]);
      }
    }
    const instruction = (t: number): string => episode.instructions[t] ?? episode.instructions[0] ?? "";
    const episodeTasks: string[] = [];
    const taskOf = new Int32Array(episode.length);
    for (let t = 0; t < episode.length; t++) {
      const task = instruction(t);
      if (!tasks.has(task)) tasks.set(task, tasks.size);
      if (!episodeTasks.includes(task)) episodeTasks.push(task);
      taskOf[t] = tasks.get(task) as number;
    }
    const relative = expandPathTemplate(DATA_PATH, { episode_chunk: Math.floor(index / chunksSize), episode_index: index });
    const path = join(dir, relative);
    await mkdir(dirname(path), { recursive: true });
    const timestamps = Float32Array.from({ length: episode.length }, (_, t) => t / fps);
    const vectors = layout.vectors.map(([key, dim, get]) => [key, dim, get(episode)] as const);
    await writeAtomically(path, async (tmp) => {
      const writer = await parquet.ParquetWriter.openFile(schema as InstanceType<typeof parquet.ParquetSchema>, tmp, { rowGroupSize });
      try {
        for (let t = 0; t < episode.length; t++) {
          const row: Record<string, unknown> = {};
          episode.cameras.forEach((camera, c) => {
            const bytes = camera.frames[t] as Uint8Array;
            row[(layout as DatasetLayout).cameraKeys[c] as string] = { bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
          });
          for (const [key, dim, values] of vectors) row[key] = Array.from(values.subarray(t * dim, t * dim + dim));
          row.timestamp = timestamps[t];
          row.frame_index = t;
          row.episode_index = index;
          row.index = frames + t;
          row.task_index = taskOf[t];
          await writer.appendRow(row);
        }
      } finally {
        await writer.close();
      }
    });
    files.push(relative);
    const stats: Record<string, FeatureStats> = {};
    for (const [c, camera] of episode.cameras.entries()) stats[layout.cameraKeys[c] as string] = await imageStats(camera.frames);
    for (const [key, dim, values] of vectors) stats[key] = vectorStats(values, dim, episode.length);
    stats.timestamp = vectorStats(timestamps, 1, episode.length);
    stats.frame_index = vectorStats(Array.from({ length: episode.length }, (_, t) => t), 1, episode.length);
    stats.episode_index = vectorStats(new Array<number>(episode.length).fill(index), 1, episode.length);
    stats.index = vectorStats(Array.from({ length: episode.length }, (_, t) => frames + t), 1, episode.length);
    stats.task_index = vectorStats(taskOf, 1, episode.length);
    episodeLines.push(JSON.stringify({ episode_index: index, tasks: episodeTasks, length: episode.length }));
    statsLines.push(JSON.stringify({ episode_index: index, stats }));
    frames += episode.length;
  }
  if (layout === null) throw new ValueError("LEROBOT_EMPTY", "writeLeRobot needs at least one episode", { file: dir });

  const features: Record<string, LeRobotFeature> = {};
  for (const key of layout.cameraKeys) features[key] = { dtype: "image", shape: imageShapes.get(key) ?? [0, 0, 3], names: ["height", "width", "channel"] };
  for (const [key, dim] of layout.vectors) {
    const names = key === "action" ? options.actionNames : key === "observation.state" ? options.stateNames : undefined;
    features[key] = { dtype: "float32", shape: [dim], names: names ?? null };
  }
  features.timestamp = { dtype: "float32", shape: [1], names: null };
  for (const key of ["frame_index", "episode_index", "index", "task_index"]) features[key] = { dtype: "int64", shape: [1], names: null };
  const info = {
    codebase_version: "v2.1",
    robot_type: options.robotType ?? null,
    total_episodes: count,
    total_frames: frames,
    total_tasks: tasks.size,
    total_videos: 0,
    total_chunks: Math.ceil(count / chunksSize),
    chunks_size: chunksSize,
    fps,
    splits: { train: `0:${count}` },
    data_path: DATA_PATH,
    video_path: null,
    features,
  };
  const lines = (items: string[]): string => (items.length ? `${items.join("\n")}\n` : "");
  await writeText(join(dir, "meta/tasks.jsonl"), lines([...tasks].map(([task, i]) => JSON.stringify({ task_index: i, task }))));
  await writeText(join(dir, "meta/episodes.jsonl"), lines(episodeLines));
  await writeText(join(dir, "meta/episodes_stats.jsonl"), lines(statsLines));
  await writeText(join(dir, INFO_PATH), `${JSON.stringify(info, null, 4)}\n`);
  files.push("meta/tasks.jsonl", "meta/episodes.jsonl", "meta/episodes_stats.jsonl", INFO_PATH);
  return { episodes: count, frames, tasks: tasks.size, files };
}
