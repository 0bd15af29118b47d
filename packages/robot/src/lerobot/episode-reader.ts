import { FormatError, MissingError, ValueError } from "@cotrain/core";
import type { Episode } from "../episode.js";
import { checkImage } from "./image-check.js";
import type { ImageCheck } from "./image-check.js";
import { featureSize } from "./info.js";
import type { LeRobotFeature } from "./info.js";
import type { LeRobotEpisodeEntry, LeRobotMeta } from "./meta.js";
import { ParquetFile } from "./parquet-file.js";
import type { RowGroupCache } from "./parquet-file.js";
import { imageBytesOf, listOf, numberOf } from "./parquet-values.js";
import { decodeEpisodeFrames } from "./video-frames.js";
import type { FrameFormat } from "./frame-splitter.js";

/** What to take from each episode, with every default already applied (see `resolveReadOptions`). */
export interface LeRobotReadOptions {
  /** The canonical `source` value. */
  source: string;
  /** Camera feature keys (image or video), in output order. */
  cameras: string[];
  stateKeys: string[];
  actionKeys: string[];
  /** Float features kept in `Episode.extras`, keyed by feature name. */
  extraKeys: string[];
  checkImages: ImageCheck;
  videoFormat: FrameFormat;
  ffmpegPath: string;
}

/** The canonical camera name of a feature key: `observation.images.wrist` → `wrist`, `observation.image` → `image`. */
export function cameraName(key: string): string {
  if (key.startsWith("observation.images.")) return key.slice("observation.images.".length);
  if (key === "observation.image") return "image";
  return key;
}

export const episodeId = (index: number): string => `episode_${String(index).padStart(6, "0")}`;

interface FloatColumn {
  keys: string[];
  dim: number;
  values: Float32Array;
}

function floatColumn(keys: string[], features: Record<string, LeRobotFeature>, length: number): FloatColumn {
  const dim = keys.reduce((sum, k) => sum + featureSize(features[k] as LeRobotFeature), 0);
  return { keys, dim, values: new Float32Array(length * dim) };
}

/** Copies one row's lists of `column.keys` into step t, checking each list's length against info.json. */
function fillStep(column: FloatColumn, record: Record<string, unknown>, t: number, features: Record<string, LeRobotFeature>, file: string, row: number, finite: boolean): void {
  let at = t * column.dim;
  for (const key of column.keys) {
    const feature = features[key] as LeRobotFeature;
    const list = listOf(record[key]);
    const want = featureSize(feature);
    if (list === null || list.length !== want) {
      const got = list === null ? "null" : `${list.length} values`;
      throw new ValueError("LEROBOT_SHAPE", `holds ${got}, but info.json declares shape ${JSON.stringify(feature.shape)} (${want} values)`, { file, row, field: key });
    }
    for (let d = 0; d < want; d++) {
      const v = numberOf(list[d]);
      if (finite && !Number.isFinite(v)) throw new ValueError("NON_FINITE", `value ${d} is ${list[d] === null ? "null" : v}, not a finite number`, { file, row, field: key });
      column.values[at++] = v;
    }
  }
}

/** Reads one episode's rows (and videos) into an Episode, validating every value on the way. */
export async function readLeRobotEpisode(meta: LeRobotMeta, entry: LeRobotEpisodeEntry, options: LeRobotReadOptions, cache?: RowGroupCache): Promise<Episode> {
  const { features, fps } = meta.info;
  const imageCams = options.cameras.filter((k) => features[k]?.dtype === "image");
  const videoCams = options.cameras.filter((k) => features[k]?.dtype === "video");
  const file = entry.dataFile;
  const length = entry.length;
  const table = await ParquetFile.open(file);
  let records: Record<string, unknown>[];
  const hasEpisodeIndex = table.has("episode_index");
  const hasFrameIndex = table.has("frame_index");
  try {
    const columns = [...options.actionKeys, ...options.stateKeys, ...options.extraKeys, ...imageCams, "task_index"];
    if (videoCams.length > 0) columns.push("timestamp");
    if (hasEpisodeIndex) columns.push("episode_index");
    if (hasFrameIndex) columns.push("frame_index");
    // An image struct's `path` is never needed when its bytes are embedded; skipping it also skips its encoding.
    const skipPath = (path: string[]): boolean => !(path.length === 2 && path[1] === "path" && imageCams.includes(path[0] as string));
    records = await table.readRows(columns, entry.rowOffset, entry.rowOffset + length, skipPath, cache);
  } finally {
    await table.close();
  }
  if (records.length !== length) {
    throw new FormatError("LEROBOT_EPISODE_LENGTH", `episode ${entry.index} has ${length} steps in meta, but the file holds ${records.length} rows from row ${entry.rowOffset}`, { file, row: entry.rowOffset, field: "length" });
  }
  const actions = floatColumn(options.actionKeys, features, length);
  const states = floatColumn(options.stateKeys, features, length);
  const extras = options.extraKeys.map((k) => floatColumn([k], features, length));
  const instructions: string[] = new Array(length);
  const timestamps = new Float64Array(length);
  const images = imageCams.map(() => new Array<Uint8Array>(length));
  for (let t = 0; t < length; t++) {
    const record = records[t] as Record<string, unknown>;
    const row = entry.rowOffset + t;
    if (hasEpisodeIndex && numberOf(record.episode_index) !== entry.index) {
      throw new FormatError("LEROBOT_EPISODE_ROWS", `row holds episode_index ${String(record.episode_index)}, but meta places episode ${entry.index} here`, { file, row, field: "episode_index" });
    }
    if (hasFrameIndex && numberOf(record.frame_index) !== t) {
      throw new FormatError("LEROBOT_FRAME_INDEX", `row holds frame_index ${String(record.frame_index)}, expected ${t} (rows must be in frame order)`, { file, row, field: "frame_index" });
    }
    fillStep(actions, record, t, features, file, row, true);
    fillStep(states, record, t, features, file, row, true);
    for (const extra of extras) fillStep(extra, record, t, features, file, row, false);
    const taskIndex = numberOf(record.task_index);
    const task = meta.tasks.get(taskIndex);
    if (task === undefined) throw new FormatError("LEROBOT_TASK_UNKNOWN", `task_index ${String(record.task_index)} is not in the dataset's tasks`, { file, row, field: "task_index" });
    instructions[t] = task;
    timestamps[t] = numberOf(record.timestamp);
    for (let c = 0; c < imageCams.length; c++) {
      const key = imageCams[c] as string;
      const bytes = imageBytesOf(record[key]);
      if (bytes === null) {
        if (typeof (record[key] as { bytes?: unknown } | null)?.bytes === "string") {
          throw new FormatError("PARQUET_BINARY_AS_TEXT", "parquetjs-lite returned the image bytes as text (a dictionary page it decoded lossily)", { file, row, field: key });
        }
        throw new MissingError("LEROBOT_IMAGE_MISSING", "the image has no embedded bytes", { file, row, field: key });
      }
      await checkImage(bytes, options.checkImages, { file, row, field: key });
      (images[c] as Uint8Array[])[t] = bytes;
    }
  }
  const decoded = await Promise.all(
    videoCams.map((key) => {
      const video = entry.videos[key];
      if (!video) throw new MissingError("LEROBOT_VIDEO_MISSING", `episode ${entry.index} lists no video for this camera`, { file, field: key });
      const videoFps = numberOf((features[key] as LeRobotFeature).info?.["video.fps"]);
      return decodeEpisodeFrames(
        { file: video.file, camera: key, fps: videoFps > 0 ? videoFps : fps, fromTimestamp: video.fromTimestamp, timestamps, dataFile: file, firstRow: entry.rowOffset },
        { ffmpegPath: options.ffmpegPath, format: options.videoFormat },
      );
    }),
  );
  const framesOf = (key: string): Uint8Array[] => (imageCams.includes(key) ? images[imageCams.indexOf(key)] : decoded[videoCams.indexOf(key)]) as Uint8Array[];
  const episode: Episode = {
    source: options.source,
    index: entry.index,
    id: episodeId(entry.index),
    length,
    cameras: options.cameras.map((key) => ({ name: cameraName(key), frames: framesOf(key) })),
    actions: actions.values,
    actionDim: actions.dim,
    states: options.stateKeys.length > 0 ? states.values : null,
    stateDim: states.dim,
    instructions,
  };
  if (extras.length > 0) episode.extras = Object.fromEntries(extras.map((e) => [e.keys[0] as string, { dim: e.dim, values: e.values }]));
  return episode;
}
