import { MissingError, RowGroupCache } from "@cotrain/core";
import type { Episode } from "../episode.js";
import { readLeRobotEpisode } from "./episode-reader.js";
import type { LeRobotReadOptions } from "./episode-reader.js";
import { ensureFfmpeg } from "./ffmpeg.js";
import type { LeRobotInfo } from "./info.js";
import { readLeRobotMeta } from "./meta.js";
import type { LeRobotEpisodeEntry, LeRobotMeta } from "./meta.js";
import { resolveLeRobotOptions } from "./options.js";
import type { OpenLeRobotOptions } from "./options.js";

export interface LeRobotDatasetOptions extends Pick<OpenLeRobotOptions, "source" | "cameras" | "stateKeys" | "actionKeys" | "checkImages" | "videoFormat" | "ffmpegPath"> {
  /** Float features to keep in `Episode.extras` (e.g. a DROID port's joint positions), keyed by feature name. */
  extraKeys?: string[];
}

/** A LeRobot dataset opened for random access by episode: its metadata, and any episode decoded on demand. */
export interface LeRobotDataset {
  readonly dir: string;
  readonly info: LeRobotInfo;
  readonly meta: LeRobotMeta;
  /** Every episode's location, sorted by index. */
  readonly episodes: readonly LeRobotEpisodeEntry[];
  /** The read options in force, defaults applied. */
  readonly options: LeRobotReadOptions;
  /** Decodes episode `index` (its episode_index) into an Episode. */
  readEpisode(index: number): Promise<Episode>;
}

export async function openLeRobotDataset(dir: string, options: LeRobotDatasetOptions = {}): Promise<LeRobotDataset> {
  const meta = await readLeRobotMeta(dir);
  const read = { ...resolveLeRobotOptions(dir, meta.info, options).read };
  if (options.extraKeys) {
    for (const key of options.extraKeys) {
      if (!meta.info.features[key]) throw new RangeError(`extraKeys: ${JSON.stringify(key)} is not a feature of this dataset`);
    }
    read.extraKeys = [...options.extraKeys];
  }
  return datasetFrom(meta, read);
}

export async function datasetFrom(meta: LeRobotMeta, read: LeRobotReadOptions): Promise<LeRobotDataset> {
  if (read.cameras.some((k) => meta.info.features[k]?.dtype === "video")) await ensureFfmpeg(read.ffmpegPath);
  const byIndex = new Map(meta.episodes.map((e) => [e.index, e]));
  // v3.0 files hold many episodes, often in one row group: keep the last two decoded groups for the next episodes.
  const cache = new RowGroupCache(2);
  return {
    dir: meta.dir,
    info: meta.info,
    meta,
    episodes: meta.episodes,
    options: read,
    readEpisode(index: number) {
      const entry = byIndex.get(index);
      if (!entry) return Promise.reject(new MissingError("LEROBOT_EPISODE_MISSING", `episode ${index} is not in the dataset`, { file: meta.dir, row: index }));
      return readLeRobotEpisode(meta, entry, read, cache);
    },
  };
}
