import { stat } from "node:fs/promises";
import { FormatError, MissingError, isCotrainError, isNotFound, isRemote, localCopy } from "@cotrain/core";
import { runFfmpeg } from "./ffmpeg.js";
import { FrameFormatError, FrameSplitter } from "./frame-splitter.js";
import type { FrameFormat } from "./frame-splitter.js";

export interface EpisodeVideo {
  /** The MP4 file. */
  file: string;
  /** The camera (feature key), for error locations. */
  camera: string;
  /** Frames per second of the video (info.json `video.fps`, else the dataset fps). */
  fps: number;
  /** Where the episode starts in the file (v3.0 packs several episodes into one file; 0 in v2). */
  fromTimestamp: number;
  /** Per step, its `timestamp` column (seconds from the episode start). */
  timestamps: ArrayLike<number>;
  /** The Parquet file and row of step 0, for error locations. */
  dataFile: string;
  firstRow: number;
}

export interface DecodeOptions {
  ffmpegPath: string;
  /** Encoding of the images handed out: "jpeg" (MJPEG at -q:v 2) or "png" (lossless copies of the decoded frames). */
  format: FrameFormat;
}

/**
 * The frame of each step of one episode for one camera, decoded in a single streaming ffmpeg pass. Step t shows
 * video frame round((fromTimestamp + timestamp[t]) × fps) (frames of a LeRobot video sit at i / fps). ffmpeg seeks
 * to half a frame before the episode's first frame (input seeking, which decodes from the previous keyframe and
 * drops what precedes the seek point) and stops after its last one, so a v3.0 file holding many episodes is never
 * decoded from its start for each of them.
 */
export async function decodeEpisodeFrames(video: EpisodeVideo, options: DecodeOptions): Promise<Uint8Array[]> {
  const n = video.timestamps.length;
  if (n === 0) return [];
  const frameOf = new Int32Array(n);
  for (let t = 0; t < n; t++) {
    const ts = video.timestamps[t] as number;
    const index = Math.round((video.fromTimestamp + ts) * video.fps);
    if (!Number.isFinite(ts) || index < 0) {
      throw new FormatError("LEROBOT_TIMESTAMP", `timestamp ${ts} does not address a video frame`, { file: video.dataFile, row: video.firstRow + t, field: "timestamp" });
    }
    frameOf[t] = index;
  }
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const index of frameOf) {
    first = Math.min(first, index);
    last = Math.max(last, index);
  }
  const count = last - first + 1;
  // ffmpeg takes a path: a remote video is fetched whole into the cache first (core's localCopy).
  let input = video.file;
  try {
    if (isRemote(video.file)) input = await localCopy(video.file);
    else await stat(video.file);
  } catch (cause) {
    if (isCotrainError(cause) && !isNotFound(cause)) throw cause;
    throw new MissingError("LEROBOT_VIDEO_MISSING", "the episode's video file does not exist", { file: video.file, field: video.camera, cause });
  }
  const encode = options.format === "jpeg" ? ["-c:v", "mjpeg", "-q:v", "2", "-pix_fmt", "yuvj420p"] : ["-c:v", "png", "-pix_fmt", "rgb24"];
  const args = [
    "-hide_banner", "-nostdin", "-loglevel", "error",
    ...(first > 0 ? ["-ss", ((first - 0.5) / video.fps).toFixed(6)] : []),
    "-i", input, "-map", "0:v:0", "-vsync", "0", "-frames:v", String(count),
    "-f", "image2pipe", ...encode, "pipe:1",
  ];
  const splitter = new FrameSplitter(options.format);
  const frames: Uint8Array[] = [];
  let result: { code: number | null; stderr: string };
  try {
    result = await runFfmpeg(options.ffmpegPath, args, { onData: (chunk) => frames.push(...splitter.push(chunk)) });
  } catch (error) {
    if (error instanceof FrameFormatError) {
      throw new FormatError("LEROBOT_VIDEO_DECODE", `ffmpeg's output is not a stream of ${options.format} images: ${error.message}`, { file: video.file, field: video.camera, cause: error });
    }
    throw error;
  }
  if (result.code !== 0 || splitter.leftover > 0) {
    const why = result.code !== 0 ? `ffmpeg exited with code ${result.code}` : "ffmpeg's output ended inside an image";
    throw new FormatError("LEROBOT_VIDEO_DECODE", `cannot decode the video: ${why}${result.stderr ? `: ${result.stderr}` : ""}`, { file: video.file, field: video.camera });
  }
  const out: Uint8Array[] = new Array(n);
  for (let t = 0; t < n; t++) {
    const frame = frames[(frameOf[t] as number) - first];
    if (frame === undefined) {
      throw new FormatError(
        "LEROBOT_VIDEO_FRAMES",
        `step ${t} (timestamp ${video.timestamps[t]}) needs video frame ${frameOf[t]}, but the video ends after frame ${first + frames.length - 1} ` +
          `(${frames.length} frames decoded from frame ${first}; the episode needs ${count})`,
        { file: video.file, row: video.firstRow + t, field: video.camera },
      );
    }
    out[t] = frame;
  }
  return out;
}
