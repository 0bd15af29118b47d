import { FormatError, MissingError, UnsupportedError, isCotrainError, isNotFound, joinLocation, parseJson, readLocation } from "@cotrain/core";

/** One entry of `meta/info.json` `features`. */
export interface LeRobotFeature {
  dtype: string;
  shape: number[];
  names?: unknown;
  /** Video features: `{"video.fps": 30, "video.codec": "av1", ...}`. */
  info?: Record<string, unknown>;
}

/** `meta/info.json`, validated. */
export interface LeRobotInfo {
  /** `codebase_version` as written, e.g. "v2.1" or "v3.0". */
  codebaseVersion: string;
  /** "v2": one Parquet file (and one MP4 per camera) per episode, JSON Lines meta; "v3": many episodes per file, Parquet meta. */
  layout: "v2" | "v3";
  fps: number;
  robotType: string | null;
  totalEpisodes: number;
  chunksSize: number;
  dataPath: string;
  videoPath: string | null;
  /** Features in info.json order. */
  features: Record<string, LeRobotFeature>;
  /** The whole file, for fields this reader does not interpret. */
  raw: Record<string, unknown>;
}

export const INFO_PATH = "meta/info.json";

/** Number of values one row holds for a feature (the product of its shape; `[1]` for scalars). */
export function featureSize(feature: LeRobotFeature): number {
  return feature.shape.reduce((a, b) => a * b, 1);
}

export function isCameraFeature(feature: LeRobotFeature): boolean {
  return feature.dtype === "image" || feature.dtype === "video";
}

export async function readLeRobotInfo(dir: string): Promise<LeRobotInfo> {
  const file = joinLocation(dir, INFO_PATH);
  let bytes: Uint8Array;
  try {
    bytes = await readLocation(file);
  } catch (cause) {
    // A remote read that failed for another reason than a 404 (its retries spent) keeps its own error.
    if (isCotrainError(cause) && !isNotFound(cause)) throw cause;
    throw new MissingError("LEROBOT_INFO_MISSING", `no ${INFO_PATH}: is ${dir} a LeRobot dataset folder?`, { file, cause });
  }
  const raw = parseJson(bytes, { file }, "LEROBOT_INFO_JSON") as Record<string, unknown>;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new FormatError("LEROBOT_INFO_JSON", "info.json must hold an object", { file, field: "(root)" });
  const version = String(raw.codebase_version ?? "");
  const layout = /^v2\./.test(version) ? "v2" : /^v3\./.test(version) ? "v3" : null;
  if (layout === null) {
    throw new UnsupportedError("LEROBOT_VERSION", `codebase_version ${JSON.stringify(raw.codebase_version)} is not supported (v2.0, v2.1 and v3.0 are)`, { file, field: "codebase_version" });
  }
  const positive = (key: string, fallback?: number): number => {
    const value = raw[key] ?? fallback;
    if (typeof value !== "number" || !(value > 0)) throw new FormatError("LEROBOT_INFO_FIELD", `${key} must be a positive number, got ${JSON.stringify(value)}`, { file, field: key });
    return value;
  };
  // A chunk size numbers folders: a fraction would send episodes to folders nobody wrote.
  const count = (key: string, fallback: number): number => {
    const value = positive(key, fallback);
    if (!Number.isInteger(value)) throw new FormatError("LEROBOT_INFO_FIELD", `${key} must be a whole number, got ${value}`, { file, field: key });
    return value;
  };
  const dataPath = raw.data_path;
  if (typeof dataPath !== "string") throw new FormatError("LEROBOT_INFO_FIELD", `data_path must be a path template, got ${JSON.stringify(dataPath)}`, { file, field: "data_path" });
  const videoPath = raw.video_path ?? null;
  if (videoPath !== null && typeof videoPath !== "string") throw new FormatError("LEROBOT_INFO_FIELD", "video_path must be a path template or null", { file, field: "video_path" });
  const features = parseFeatures(raw.features, file);
  if (Object.values(features).some((f) => f.dtype === "video") && videoPath === null) {
    throw new FormatError("LEROBOT_INFO_FIELD", "video features are declared but video_path is null", { file, field: "video_path" });
  }
  return {
    codebaseVersion: version,
    layout,
    fps: positive("fps"),
    robotType: typeof raw.robot_type === "string" ? raw.robot_type : null,
    totalEpisodes: totalEpisodes(raw.total_episodes, file),
    chunksSize: count("chunks_size", 1000),
    dataPath,
    videoPath,
    features,
    raw,
  };
}

/** `total_episodes`: a count when given (readLeRobotMeta checks it against the episodes listed), 0 when absent. */
function totalEpisodes(value: unknown, file: string): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw new FormatError("LEROBOT_INFO_FIELD", `total_episodes must be a count, got ${JSON.stringify(value)}`, { file, field: "total_episodes" });
  return value;
}

function parseFeatures(value: unknown, file: string): Record<string, LeRobotFeature> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new FormatError("LEROBOT_INFO_FIELD", "features must be an object", { file, field: "features" });
  const out: Record<string, LeRobotFeature> = {};
  for (const [name, spec] of Object.entries(value as Record<string, unknown>)) {
    const s = spec as Partial<LeRobotFeature> | null;
    const field = `features.${name}`;
    if (s === null || typeof s !== "object" || typeof s.dtype !== "string") throw new FormatError("LEROBOT_INFO_FIELD", "a feature needs a dtype", { file, field });
    const shape = s.shape ?? [1];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new FormatError("LEROBOT_INFO_FIELD", `shape must be a list of non-negative integers, got ${JSON.stringify(s.shape)}`, { file, field });
    }
    out[name] = { dtype: s.dtype, shape, names: s.names, ...(s.info && typeof s.info === "object" ? { info: s.info } : {}) };
  }
  return out;
}
