import { ConfigError, joinLocation, locationName, resolveLocation, validateShardSpec } from "@cotrain/core";
import type { ShardSpec } from "@cotrain/core";
import type { LeRobotReadOptions } from "./episode-reader.js";
import type { FrameFormat } from "./frame-splitter.js";
import { resolveFfmpegPath } from "./ffmpeg.js";
import type { ImageCheck } from "./image-check.js";
import { isCameraFeature } from "./info.js";
import type { LeRobotInfo } from "./info.js";

export interface OpenLeRobotOptions {
  /** The canonical `source` column (default: the folder's name). */
  source?: string;
  /** Camera feature keys (image or video) in output order (default: every image/video feature, info.json order). */
  cameras?: string[];
  /** Float features concatenated into `state` (default: ["observation.state"] when the dataset has it, else none). */
  stateKeys?: string[];
  /** Float features concatenated into `action` (default: ["action"]). */
  actionKeys?: string[];
  /** Rows per batch (default 64); batches run across episode boundaries. */
  batchSize?: number;
  /** Action chunk length H: each step carries its next H actions and `action_is_pad` (default 0: one action). */
  chunk?: number;
  /** Visit episodes in a seeded order that changes every epoch (default false: index order). */
  shuffleEpisodes?: boolean;
  seed?: number;
  /** "raise" (default) stops at the first bad episode; "skip" drops it and counts it by reason in `skipped()`. */
  onError?: "raise" | "skip";
  /** Read only the episodes worker `index` of `count` owns (core's partitionInputs over episode names). */
  shard?: ShardSpec;
  /** See ImageCheck (default "header"). */
  checkImages?: ImageCheck;
  /** Encoding of frames decoded from video features (default "jpeg"; "png" keeps decoded pixels exactly). */
  videoFormat?: FrameFormat;
  /** The ffmpeg binary (default $COTRAIN_FFMPEG, else `ffmpeg` on the PATH). */
  ffmpegPath?: string;
  /**
   * Episodes loaded ahead of the one being read, overlapping Parquet and ffmpeg work with the consumer (default 1).
   * It also bounds the work in flight: at most `prefetch + 1` episodes, each one ffmpeg process per video camera.
   */
  prefetch?: number;
}

export interface ResolvedLeRobotOptions {
  read: LeRobotReadOptions;
  batchSize: number;
  chunk: number;
  shuffleEpisodes: boolean;
  seed: number;
  onError: "raise" | "skip";
  shard: ShardSpec | null;
  prefetch: number;
}

function integer(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}, got ${value}`);
  return value;
}

export function resolveLeRobotOptions(dir: string, info: LeRobotInfo, options: OpenLeRobotOptions): ResolvedLeRobotOptions {
  const features = info.features;
  const file = joinLocation(resolveLocation(dir), "meta/info.json");
  const checkKeys = (option: string, keys: string[], ok: (dtype: string) => boolean, wanted: string): string[] => {
    for (const key of keys) {
      const feature = features[key];
      if (!feature) throw new ConfigError("LEROBOT_OPTION", `${option}: ${JSON.stringify(key)} is not a feature of this dataset (it has ${Object.keys(features).join(", ")})`, { file, field: key });
      if (!ok(feature.dtype)) throw new ConfigError("LEROBOT_OPTION", `${option}: ${JSON.stringify(key)} has dtype ${feature.dtype}, expected ${wanted}`, { file, field: key });
    }
    return keys;
  };
  const isFloat = (dtype: string): boolean => /^(float|int|uint|bool)/.test(dtype);
  const cameras = checkKeys("cameras", options.cameras ?? Object.keys(features).filter((k) => isCameraFeature(features[k]!)), (d) => d === "image" || d === "video", "image or video");
  const stateKeys = checkKeys("stateKeys", options.stateKeys ?? ("observation.state" in features ? ["observation.state"] : []), isFloat, "a numeric dtype");
  const actionKeys = checkKeys("actionKeys", options.actionKeys ?? ["action"], isFloat, "a numeric dtype");
  if (actionKeys.length === 0) throw new ConfigError("LEROBOT_OPTION", "actionKeys must name at least one feature", { file, field: "actionKeys" });
  const onError = options.onError ?? "raise";
  if (onError !== "raise" && onError !== "skip") throw new RangeError(`onError must be "raise" or "skip", got ${JSON.stringify(onError)}`);
  const checkImages = options.checkImages ?? "header";
  if (!["header", "decode", "off"].includes(checkImages)) throw new RangeError(`checkImages must be "header", "decode" or "off", got ${JSON.stringify(checkImages)}`);
  const videoFormat = options.videoFormat ?? "jpeg";
  if (videoFormat !== "jpeg" && videoFormat !== "png") throw new RangeError(`videoFormat must be "jpeg" or "png", got ${JSON.stringify(videoFormat)}`);
  return {
    read: {
      source: options.source ?? locationName(resolveLocation(dir)),
      cameras,
      stateKeys,
      actionKeys,
      extraKeys: [],
      checkImages,
      videoFormat,
      ffmpegPath: resolveFfmpegPath(options.ffmpegPath),
    },
    batchSize: integer("batchSize", options.batchSize ?? 64, 1),
    chunk: integer("chunk", options.chunk ?? 0, 0),
    shuffleEpisodes: options.shuffleEpisodes ?? false,
    seed: integer("seed", options.seed ?? 0, 0),
    onError,
    shard: options.shard ? validateShardSpec(options.shard) : null,
    prefetch: integer("prefetch", options.prefetch ?? 1, 0),
  };
}
