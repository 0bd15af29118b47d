import { ConfigError } from "@cotrain/core";
import type { SeedLike } from "@cotrain/core";

export type WorldFormat = "rlds" | "lerobot" | "llava" | "parquet";
export const WORLD_FORMATS: readonly WorldFormat[] = ["rlds", "lerobot", "llava", "parquet"];

export interface WorldOptions {
  /** Seed of everything generated (default 0). */
  seed?: SeedLike;
  /** Robot episodes over the train and eval splits (default 300). */
  robotEpisodes?: number;
  /** Episodes of the separate zero-shot split (default: as many as the eval split). */
  zeroShotEpisodes?: number;
  /** VQA entries over the train and eval splits (default 3000). */
  vqaEntries?: number;
  /** Image width and height in pixels (default 64). */
  imageSize?: number;
  /** JPEG quality (default 90). */
  jpegQuality?: number;
  /** Share of robot episodes and of VQA entries held out as the eval split (default 0.1). */
  evalFraction?: number;
  /** Formats to write (default all four). */
  formats?: readonly WorldFormat[];
  /** Share of VQA entries with two question/answer pairs (default 0.25). */
  multiTurnFraction?: number;
  /** Objects per scene (default 2 to 4). */
  minObjects?: number;
  maxObjects?: number;
  /** Renders in flight at once (default 4). */
  concurrency?: number;
  /** Control rate recorded in LeRobot's info.json and timestamps (default 5, Bridge's rate). */
  fps?: number;
  /** Called as each robot episode and VQA entry goes to the writers: items so far and the total (episodes + entries written). */
  onProgress?: (done: number, total: number) => void;
}

export type ResolvedWorldOptions = Required<Omit<WorldOptions, "zeroShotEpisodes" | "onProgress">> & {
  zeroShotEpisodes: number;
  robotSplits: { train: number; eval: number; zeroshot: number };
  vqaSplits: { train: number; eval: number };
};

function count(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new ConfigError("SYNTH_OPTION", `${name} must be a non-negative integer, got ${value}`, { field: name });
  return value;
}

/** Fills defaults and validates, naming the option and showing the bad value. */
export function resolveWorldOptions(options: WorldOptions = {}): ResolvedWorldOptions {
  const evalFraction = options.evalFraction ?? 0.1;
  if (!(evalFraction >= 0 && evalFraction < 1)) throw new ConfigError("SYNTH_OPTION", `evalFraction must be in [0, 1), got ${evalFraction}`, { field: "evalFraction" });
  const robotEpisodes = count("robotEpisodes", options.robotEpisodes ?? 300);
  const vqaEntries = count("vqaEntries", options.vqaEntries ?? 3000);
  const robotEval = Math.round(robotEpisodes * evalFraction);
  const vqaEval = Math.round(vqaEntries * evalFraction);
  const zeroShotEpisodes = count("zeroShotEpisodes", options.zeroShotEpisodes ?? robotEval);
  const formats = options.formats ?? WORLD_FORMATS;
  const unknown = formats.filter((f) => !WORLD_FORMATS.includes(f));
  if (unknown.length > 0 || new Set(formats).size !== formats.length) {
    throw new ConfigError("SYNTH_OPTION", `formats must be distinct names from ${WORLD_FORMATS.join(", ")}, got ${JSON.stringify(formats)}`, { field: "formats" });
  }
  const fps = options.fps ?? 5;
  if (!(typeof fps === "number" && fps > 0)) throw new ConfigError("SYNTH_OPTION", `fps must be a positive number, got ${fps}`, { field: "fps" });
  const integer = (name: string, value: number, lo: number, hi: number): number => {
    if (!Number.isInteger(value) || value < lo || value > hi) throw new ConfigError("SYNTH_OPTION", `${name} must be an integer in [${lo}, ${hi}], got ${value}`, { field: name });
    return value;
  };
  const imageSize = integer("imageSize", options.imageSize ?? 64, 16, 1024);
  const jpegQuality = integer("jpegQuality", options.jpegQuality ?? 90, 1, 100);
  const minObjects = integer("minObjects", options.minObjects ?? 2, 1, 6);
  const maxObjects = integer("maxObjects", options.maxObjects ?? Math.max(4, minObjects), minObjects, 6);
  const concurrency = integer("concurrency", options.concurrency ?? 4, 1, 256);
  const multiTurnFraction = options.multiTurnFraction ?? 0.25;
  if (!(multiTurnFraction >= 0 && multiTurnFraction <= 1)) throw new ConfigError("SYNTH_OPTION", `multiTurnFraction must be in [0, 1], got ${multiTurnFraction}`, { field: "multiTurnFraction" });
  const seed = options.seed ?? 0;
  if (!(typeof seed === "string" || Number.isFinite(seed))) throw new ConfigError("SYNTH_OPTION", `seed must be a finite number or a string, got ${String(seed)}`, { field: "seed" });
  return {
    seed,
    robotEpisodes,
    zeroShotEpisodes,
    vqaEntries,
    imageSize,
    jpegQuality,
    evalFraction,
    formats: [...formats],
    multiTurnFraction,
    minObjects,
    maxObjects,
    concurrency,
    fps,
    robotSplits: { train: robotEpisodes - robotEval, eval: robotEval, zeroshot: zeroShotEpisodes },
    vqaSplits: { train: vqaEntries - vqaEval, eval: vqaEval },
  };
}
