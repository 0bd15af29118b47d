import type { Rng } from "@cotrain/core";
import { freeSpot } from "./scene.js";
import type { Gripper, SceneObject, SceneView } from "./scene.js";
import { DIRECTIONS, PUSH_DISTANCE, PUSH_OFFSET } from "./tasks.js";
import type { Task } from "./tasks.js";

/**
 * The scripted expert. Every motion step is a proportional controller towards a waypoint the image shows (the
 * target object's position, the hover or grasp height, the object's yaw): action = clip(GAIN · error) + noise.
 * So the action is a function of what is visible, which is what lets a small model learn it from pixels.
 */

export const ACTION_DIM = 7;
export const STATE_DIM = 7;
export const ACTION_NAMES = ["dx", "dy", "dz", "droll", "dpitch", "dyaw", "gripper"];
export const STATE_NAMES = ["x", "y", "z", "roll", "pitch", "yaw", "gripper"];
export const MIN_STEPS = 10;
export const MAX_STEPS = 30;

export const HOVER_Z = 0.15;
export const GRASP_Z = 0.02;
export const LIFT_Z = 0.25;
export const PUSH_Z = 0.03;
const FLOOR_Z = 0.005;
const GAIN = 0.5;
const MAX_XY = 0.08;
const MAX_Z = 0.06;
const MAX_YAW = 0.2;
const TOLERANCE = 0.012;
const NOISE = 0.004;
const PHASE_CAP = 14;
/** The gripper starts this far (table units) from the target: far enough to need a real approach, near enough to fit 30 steps. */
const START_DISTANCE = [0.25, 0.6] as const;

export interface Trajectory {
  /** One view per step: what the camera sees before the step's action. */
  views: SceneView[];
  /** length × 7: x, y, z, roll, pitch, yaw, gripper opening (1 open, 0 closed). */
  states: Float32Array;
  /** length × 7: dx, dy, dz, droll, dpitch, dyaw (deltas applied to the state), gripper command (1 open, 0 close). */
  actions: Float32Array;
  length: number;
  /** The gripper after the last action. */
  final: Gripper;
  /** The objects after the last action (a pushed or lifted object has moved). */
  objects: SceneObject[];
}

type Waypoint = { x: number; y: number; z: number; yaw: number };

const clip = (v: number, limit: number): number => Math.max(-limit, Math.min(limit, v));

/** A start pose: open, hovering, clear of the objects, at START_DISTANCE from the target. */
export function startGripper(rng: Rng, objects: readonly SceneObject[], target: SceneObject): Gripper {
  for (;;) {
    const { x, y } = freeSpot(rng, objects, 0.14, 0.1);
    const d = Math.hypot(x - target.x, y - target.y);
    if (d >= START_DISTANCE[0] && d <= START_DISTANCE[1]) return { x, y, z: rng.uniform(0.12, 0.2), yaw: rng.uniform(-0.3, 0.3), open: 1 };
  }
}

/** Runs the scripted policy for `task` from `start` and records views, states and actions. */
export function runScript(rng: Rng, objects: readonly SceneObject[], task: Task, start: Gripper): Trajectory {
  const world = objects.map((o) => ({ ...o }));
  const g: Gripper = { ...start };
  let held: number | null = null;
  let pushing: readonly [number, number] | null = null;
  const views: SceneView[] = [];
  const states: number[] = [];
  const actions: number[] = [];

  const step = (dx: number, dy: number, dz: number, dyaw: number, command: number): void => {
    views.push({ objects: world.map((o) => ({ ...o })), gripper: { ...g }, held });
    states.push(g.x, g.y, g.z, 0, 0, g.yaw, g.open);
    actions.push(dx, dy, dz, 0, 0, dyaw, command);
    g.x += dx;
    g.y += dy;
    g.z += dz;
    g.yaw += dyaw;
    g.open = command;
    const carried = held !== null ? world[held] : pushing !== null ? world[task.target] : undefined;
    if (carried) {
      carried.x = g.x + (pushing ? pushing[0] * PUSH_OFFSET : 0);
      carried.y = g.y + (pushing ? pushing[1] * PUSH_OFFSET : 0);
    }
  };
  const moveTo = (w: Waypoint): void => {
    for (let n = 0; n < PHASE_CAP; n++) {
      const err = [w.x - g.x, w.y - g.y, w.z - g.z, w.yaw - g.yaw];
      if (err.every((e) => Math.abs(e) <= TOLERANCE)) return;
      const noise = (): number => NOISE * rng.normal();
      const dx = clip(GAIN * (err[0] as number), MAX_XY) + noise();
      const dy = clip(GAIN * (err[1] as number), MAX_XY) + noise();
      // Noise must not push the fingers into the table.
      const dz = Math.max(clip(GAIN * (err[2] as number), MAX_Z) + noise(), FLOOR_Z - g.z);
      step(dx, dy, dz, clip(GAIN * (err[3] as number), MAX_YAW) + noise(), g.open);
    }
  };
  const grip = (command: number): void => step(0, 0, 0, 0, command);

  const o = objects[task.target] as SceneObject;
  if (task.kind === "pick") {
    moveTo({ x: o.x, y: o.y, z: HOVER_Z, yaw: o.yaw });
    moveTo({ x: o.x, y: o.y, z: GRASP_Z, yaw: o.yaw });
    grip(0);
    held = task.target;
    moveTo({ x: g.x, y: g.y, z: LIFT_Z, yaw: g.yaw });
  } else if (task.kind === "push") {
    const [dx, dy] = DIRECTIONS[task.direction ?? "left"];
    const pre = { x: o.x - dx * PUSH_OFFSET, y: o.y - dy * PUSH_OFFSET };
    moveTo({ ...pre, z: HOVER_Z, yaw: g.yaw });
    moveTo({ ...pre, z: PUSH_Z, yaw: g.yaw });
    grip(0);
    pushing = [dx, dy];
    moveTo({ x: pre.x + dx * PUSH_DISTANCE, y: pre.y + dy * PUSH_DISTANCE, z: PUSH_Z, yaw: g.yaw });
    pushing = null;
    moveTo({ x: g.x, y: g.y, z: HOVER_Z, yaw: g.yaw });
  } else {
    moveTo({ x: o.x, y: o.y, z: HOVER_Z, yaw: g.yaw });
  }
  // Short episodes end holding still (zero motion, same gripper command) so every episode has MIN_STEPS.
  while (actions.length / ACTION_DIM < MIN_STEPS) grip(g.open);
  const length = actions.length / ACTION_DIM;
  if (length > MAX_STEPS) throw new RangeError(`scripted ${task.kind} took ${length} steps, more than ${MAX_STEPS}`);
  return { views, states: Float32Array.from(states), actions: Float32Array.from(actions), length, final: { ...g }, objects: world };
}
