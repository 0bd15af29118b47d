import { FormatError, MissingError, ValueError, parquetValues } from "@cotrain/core";
import type { RowGroupCache } from "@cotrain/core";
import type { Episode } from "../episode.js";
import { checkImage } from "./image-check.js";
import type { ImageCheck } from "./image-check.js";
import { featureSize } from "./info.js";
import type { LeRobotFeature } from "./info.js";
import type { LeRobotEpisodeEntry, LeRobotMeta } from "./meta.js";
import { openLeRobotParquet } from "./open-parquet.js";
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

/**
 * A steps × dim column for `keys`. The shapes come from info.json, which the file does not vouch for: they are
 * checked against the first row before `length × dim` floats are allocated from them.
 */
function floatColumn(keys: string[], features: Record<string, LeRobotFeature>, length: number, first: { record: Record<string, unknown>; file: string; row: number } | null): FloatColumn {
  if (first) for (const key of keys) listOf(first.record, key, features, first.file, first.row);
  const dim = keys.reduce((sum, k) => sum + featureSize(features[k] as LeRobotFeature), 0);
  return { keys, dim, values: new Float32Array(length * dim) };
}

/** A row's values of `key`, which must be as many as info.json's shape says (ValueError LEROBOT_SHAPE otherwise). */
function listOf(record: Record<string, unknown>, key: string, features: Record<string, LeRobotFeature>, file: string, row: number): unknown[] {
  const feature = features[key] as LeRobotFeature;
  const list = valuesOf(record[key]);
  const want = featureSize(feature);
  if (list === null || list.length !== want) {
    const got = list === null ? "null" : `${list.length} values`;
    throw new ValueError("LEROBOT_SHAPE", `holds ${got}, but info.json declares shape ${JSON.stringify(feature.shape)} (${want} values)`, { file, row, field: key });
  }
  return list;
}

const { bytesOf, isRecord, numberOf } = parquetValues;

/** A feature's values in one row: its list, or a scalar as a one-element list (a shape-[1] feature stored flat). */
function valuesOf(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  return value === null || value === undefined ? null : [value];
}

/** Copies one row's lists of `column.keys` into step t, checking each list's length against info.json. */
function fillStep(column: FloatColumn, record: Record<string, unknown>, t: number, features: Record<string, LeRobotFeature>, file: string, row: number, finite: boolean): void {
  let at = t * column.dim;
  for (const key of column.keys) {
    const list = listOf(record, key, features, file, row);
    for (let d = 0; d < list.length; d++) {
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
  const table = await openLeRobotParquet(file);
  let records: Record<string, unknown>[];
  const hasEpisodeIndex = table.has("episode_index");
  const hasFrameIndex = table.has("frame_index");
  const fileRows = table.numRows;
  try {
    const columns = [...options.actionKeys, ...options.stateKeys, ...options.extraKeys, ...imageCams, "task_index"];
    if (videoCams.length > 0) columns.push("timestamp");
    if (hasEpisodeIndex) columns.push("episode_index");
    if (hasFrameIndex) columns.push("frame_index");
    records = await table.readRows(columns, entry.rowOffset, entry.rowOffset + length, cache);
  } finally {
    await table.close();
  }
  if (records.length !== length) {
    throw new FormatError("LEROBOT_EPISODE_LENGTH", `episode ${entry.index} has ${length} steps in meta, but the file holds ${records.length} rows from row ${entry.rowOffset}`, { file, row: entry.rowOffset, field: "length" });
  }
  // v2 gives each episode its own file: rows past the listed length would be dropped without a word.
  if (meta.info.layout === "v2" && fileRows !== length) {
    throw new FormatError("LEROBOT_EPISODE_LENGTH", `episode ${entry.index} has ${length} steps in meta, but its file holds ${fileRows} rows`, { file, row: length, field: "length" });
  }
  const first = length > 0 ? { record: records[0] as Record<string, unknown>, file, row: entry.rowOffset } : null;
  const actions = floatColumn(options.actionKeys, features, length, first);
  const states = floatColumn(options.stateKeys, features, length, first);
  const extras = options.extraKeys.map((k) => floatColumn([k], features, length, first));
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
      // An image feature is a `{bytes, path}` struct (the `datasets` Image feature) or bare binary.
      const value = record[key];
      const stored = isRecord(value) ? value.bytes : value;
      const bytes = bytesOf(stored);
      if (bytes === null) {
        if (typeof stored === "string") throw new FormatError("LEROBOT_IMAGE_NOT_BINARY", "the image bytes are stored in a string column, not a binary one", { file, row, field: key });
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
