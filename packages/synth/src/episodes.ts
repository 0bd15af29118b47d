import { Rng } from "@cotrain/core";
import type { SeedLike } from "@cotrain/core";
import type { Episode } from "@cotrain/robot";
import { ACTION_DIM, STATE_DIM, runScript, startGripper } from "./controller.js";
import type { Trajectory } from "./controller.js";
import { renderViews } from "./render.js";
import type { RenderOptions } from "./render.js";
import type { Gripper, SceneObject, SceneOptions } from "./scene.js";
import { makeTask } from "./tasks.js";
import type { Task } from "./tasks.js";
import type { Limit } from "./pool.js";

/** "eval" episodes come from the training distribution (held out); "zeroshot" ones need web knowledge. */
export type RobotSplit = "train" | "eval" | "zeroshot";
export const ROBOT_SPLITS: readonly RobotSplit[] = ["train", "eval", "zeroshot"];

/** The camera name of the synthetic world's one (overhead) camera: Bridge's main camera key. */
export const CAMERA = "image_0";
export const ROBOT_SOURCE = "synth_robot";

export interface RobotEpisodeOptions extends RenderOptions, Pick<SceneOptions, "minObjects" | "maxObjects"> {
  seed: SeedLike;
  split: RobotSplit;
  /** Index of the episode within its split. */
  index: number;
  /** Bounds concurrent renders (see `limiter`); default: unbounded. */
  limit?: Limit;
}

/** An episode with the ground truth it was made from, so tests and evaluations can check it. */
export interface RobotSample {
  episode: Episode;
  task: Task;
  /** The scene before the first step. */
  objects: SceneObject[];
  trajectory: Trajectory;
}

/** The episode id, also its RLDS `episode_metadata/file_path`. */
export function episodeId(split: RobotSplit, index: number): string {
  return `synth/${split}/episode_${String(index).padStart(6, "0")}`;
}

/** What an episode starts from: the scene, the task and the gripper's start pose. */
export interface EpisodeSetup {
  objects: SceneObject[];
  task: Task;
  start: Gripper;
}

/**
 * The scene, task and start pose of episode `index` of `split`, without running the script or rendering: what a
 * closed-loop evaluation needs to put a policy in the same situation as the recorded episode.
 */
export function robotEpisodeSetup(options: Pick<RobotEpisodeOptions, "seed" | "split" | "index" | "minObjects" | "maxObjects">): EpisodeSetup {
  const { split, index } = options;
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`index must be a non-negative integer, got ${index}`);
  if (!ROBOT_SPLITS.includes(split)) throw new RangeError(`split must be one of ${ROBOT_SPLITS.join(", ")}, got ${JSON.stringify(split)}`);
  const rng = Rng.from(options.seed, "robot", split, index);
  const { objects, task } = makeTask(rng.derive("task"), split === "zeroshot" ? "zeroshot" : "train", { minObjects: options.minObjects, maxObjects: options.maxObjects });
  const start = startGripper(rng.derive("start"), objects, objects[task.target] as SceneObject);
  return { objects, task, start };
}

/**
 * One scripted episode, drawn from its own generator `Rng.from(seed, "robot", split, index)`, so episode k is the
 * same whatever the sizes of the splits or the order episodes are made in.
 */
export async function makeRobotEpisode(options: RobotEpisodeOptions): Promise<RobotSample> {
  const { split, index } = options;
  const { objects, task, start } = robotEpisodeSetup(options);
  const trajectory = runScript(Rng.from(options.seed, "robot", split, index).derive("noise"), objects, task, start);
  const frames = await renderViews(trajectory.views, options, options.limit);
  const length = trajectory.length;
  const id = episodeId(split, index);
  const episode: Episode = {
    source: ROBOT_SOURCE,
    index,
    id,
    length,
    cameras: [{ name: CAMERA, frames }],
    actions: trajectory.actions,
    actionDim: ACTION_DIM,
    states: trajectory.states,
    stateDim: STATE_DIM,
    instructions: new Array<string>(length).fill(task.instruction),
    isFirst: Array.from({ length }, (_, t) => t === 0),
    isLast: Array.from({ length }, (_, t) => t === length - 1),
    isTerminal: Array.from({ length }, (_, t) => t === length - 1),
    rewards: Float32Array.from({ length }, (_, t) => (t === length - 1 ? 1 : 0)),
    discounts: new Float32Array(length).fill(1),
    metadata: { file_path: id, episode_id: String(index) },
  };
  return { episode, task, objects, trajectory };
}
