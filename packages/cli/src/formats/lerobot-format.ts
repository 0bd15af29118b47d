import { stat } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { isRemote, joinLocation, locationExists } from "@cotrain/core";
import { openLeRobot, readLeRobotMeta } from "@cotrain/robot";
import type { OpenLeRobotOptions } from "@cotrain/robot";
import { batchSize, onError, pathString, seed, sourceName } from "./common-options.js";
import type { DatasetFormat, DatasetSummary } from "./registry.js";

const options = z.strictObject({
  source: sourceName.optional(),
  cameras: z.array(z.string()).optional(),
  stateKeys: z.array(z.string()).optional(),
  actionKeys: z.array(z.string()).min(1).optional(),
  batchSize: batchSize.optional(),
  chunk: z.number().int().nonnegative().optional(),
  shuffleEpisodes: z.boolean().optional(),
  seed: seed.optional(),
  onError: onError.optional(),
  checkImages: z.enum(["header", "decode", "off"]).optional(),
  videoFormat: z.enum(["jpeg", "png"]).optional(),
  ffmpegPath: pathString.optional(),
  prefetch: z.number().int().nonnegative().optional(),
});

async function detect(path: string): Promise<string | null> {
  if (isRemote(path)) return (await locationExists(joinLocation(path, "meta/info.json"))) ? path : null;
  const isDir = (await stat(path)).isDirectory();
  return isDir && (await stat(join(path, "meta", "info.json")).then(() => true, () => false)) ? path : null;
}

async function summarize(path: string): Promise<DatasetSummary> {
  const meta = await readLeRobotMeta(path);
  const { info } = meta;
  const frames = Number(info.raw.total_frames);
  return {
    kind: "robot",
    counts: {
      episodes: meta.episodes.length,
      steps: meta.episodes.reduce((n, e) => n + e.length, 0),
      ...(Number.isFinite(frames) ? { totalFrames: frames } : {}),
      tasks: meta.tasks.size,
    },
    countsFrom: "meta/info.json, meta/episodes",
    features: Object.entries(info.features).map(([name, f]) => `${name}: ${f.dtype} [${f.shape.join(", ")}]`),
    details: {
      codebase: info.codebaseVersion,
      fps: String(info.fps),
      robotType: info.robotType ?? "(none)",
      layout: info.layout,
      tasks: [...meta.tasks.values()].slice(0, 5).map((t) => JSON.stringify(t)).join(", ") + (meta.tasks.size > 5 ? ", …" : ""),
    },
  };
}

export const lerobotFormat: DatasetFormat = {
  name: "lerobot",
  kind: "robot",
  description: "LeRobot dataset folder (meta/info.json, Parquet data, images in Parquet or MP4 video), codebase v2.x or v3.0",
  options,
  pathOptions: ["ffmpegPath"],
  sourceOption: true,
  detect,
  open: async ({ path, options: o, shard, batchSize: size }) => openLeRobot(path, { ...(size ? { batchSize: size } : {}), ...(o as OpenLeRobotOptions), ...(shard ? { shard } : {}) }),
  summarize: (path) => summarize(path),
};
