import type { Rng } from "@cotrain/core";
import { OBJECT_KINDS, kindOf } from "./objects.js";
import type { ColorName, ObjectKind } from "./objects.js";
import { describesOne, descriptionOf } from "./refer.js";
import { drawObjectKind, makeScene, nameOf } from "./scene.js";
import type { SceneObject, SceneOptions } from "./scene.js";

export type TaskKind = "pick" | "push" | "move";
export type PushDirection = "left" | "right" | "forward" | "backward";

/**
 * What an episode asks for. `naming` says how the instruction names the target: by color and type
 * ("the red apple", the only naming in training data) or by color and category ("the red fruit", zero-shot).
 */
export interface Task {
  kind: TaskKind;
  /** Index of the target in the scene's objects. */
  target: number;
  direction: PushDirection | null;
  naming: "type" | "category";
  instruction: string;
}

/** Image-space unit vectors: "forward" is away from the camera, towards the top of the image. */
export const DIRECTIONS: Record<PushDirection, readonly [number, number]> = {
  left: [-1, 0],
  right: [1, 0],
  forward: [0, -1],
  backward: [0, 1],
};

export const TEMPLATES: Record<TaskKind, readonly string[]> = {
  pick: ["pick up the {object}", "grab the {object}", "lift the {object}"],
  push: ["push the {object} {direction}", "slide the {object} {direction}"],
  move: ["move to the {object}", "go to the {object}", "reach the {object}"],
};

export const PUSH_DISTANCE = 0.18;
/** The gripper pushes from this far behind the object's centre (object radius plus finger). */
export const PUSH_OFFSET = 0.09;
const PUSH_BOUNDS = [0.08, 0.92] as const;
const PUSH_CLEARANCE = 0.16;

export type TaskSplit = "train" | "zeroshot";

/** The push directions that keep the object and the gripper on the table and the pushed object clear of others. */
export function feasibleDirections(objects: readonly SceneObject[], target: number): PushDirection[] {
  const o = objects[target] as SceneObject;
  const inside = (v: number): boolean => v >= PUSH_BOUNDS[0] && v <= PUSH_BOUNDS[1];
  return (Object.keys(DIRECTIONS) as PushDirection[]).filter((name) => {
    const [dx, dy] = DIRECTIONS[name];
    const end = { x: o.x + dx * PUSH_DISTANCE, y: o.y + dy * PUSH_DISTANCE };
    const start = { x: o.x - dx * PUSH_OFFSET, y: o.y - dy * PUSH_OFFSET };
    if (!inside(end.x) || !inside(end.y) || !inside(start.x) || !inside(start.y)) return false;
    return objects.every((other, i) => {
      if (i === target) return true;
      // Checked along the path (start, middle, end) so the push never sweeps through another object.
      return [0, 0.5, 1].every((f) => Math.hypot(other.x - (o.x + dx * PUSH_DISTANCE * f), other.y - (o.y + dy * PUSH_DISTANCE * f)) >= PUSH_CLEARANCE);
    });
  });
}

function fill(template: string, object: string, direction: PushDirection | null): string {
  return template.replace("{object}", object).replace("{direction}", direction ?? "");
}

/** The same color as `target`, another category: an object the color alone does not tell from the target. */
function sameColorOtherCategory(rng: Rng, target: { type: string; color: ColorName }): { type: string; color: ColorName } | null {
  const category = kindOf(target.type).category;
  const kinds = OBJECT_KINDS.filter((k) => k.category !== category && k.colors.includes(target.color));
  return kinds.length === 0 ? null : { type: (kinds[rng.int(kinds.length)] as ObjectKind).type, color: target.color };
}

/** The same type as `target` in another of its colors (null for a type with one color). */
function sameTypeOtherColor(rng: Rng, target: { type: string; color: ColorName }): { type: string; color: ColorName } | null {
  const colors = kindOf(target.type).colors.filter((c) => c !== target.color);
  return colors.length === 0 ? null : { type: target.type, color: colors[rng.int(colors.length)] as ColorName };
}

/** Chance that a training scene holds an object of the target's color (so the instruction's noun matters). */
export const SAME_COLOR_SHARE = 0.5;
/** Chance that a training scene holds the target's type in another color (so the instruction's color matters). */
export const SAME_TYPE_SHARE = 0.3;

/**
 * A scene and a task for one episode. The target is always a type robot instructions may name. Training (and
 * eval) instructions name it ("the red apple"), in scenes that often hold a distractor of the same color and one
 * of the same type, so both words of a name matter. Zero-shot instructions describe it ("the red fruit"): a
 * phrase only web data explains, in a scene where it picks out exactly one object and where another object has
 * the target's color, so the color alone never suffices.
 */
export function makeTask(rng: Rng, split: TaskSplit, sceneOptions: SceneOptions = {}): { objects: SceneObject[]; task: Task } {
  const zeroShot = split === "zeroshot";
  const pool = OBJECT_KINDS.filter((k) => k.robot);
  for (;;) {
    const want = drawObjectKind(rng, new Set(), pool);
    const include = [want];
    const sameColor = zeroShot || rng.float() < SAME_COLOR_SHARE ? sameColorOtherCategory(rng, want) : null;
    if (sameColor) include.push(sameColor);
    const sameType = !zeroShot && rng.float() < SAME_TYPE_SHARE ? sameTypeOtherColor(rng, want) : null;
    if (sameType) include.push(sameType);
    const objects = makeScene(rng, { ...sceneOptions, include });
    const target = objects.findIndex((o) => nameOf(o) === nameOf(want));
    const goal = objects[target] as SceneObject;
    if (zeroShot && (sameColor === null || !describesOne(objects, goal))) continue;
    const kinds: TaskKind[] = ["pick", "push", "move"];
    let kind = kinds[rng.int(kinds.length)] as TaskKind;
    let direction: PushDirection | null = null;
    if (kind === "push") {
      const options = feasibleDirections(objects, target);
      if (options.length === 0) kind = "pick";
      else direction = options[rng.int(options.length)] as PushDirection;
    }
    const phrase = zeroShot ? descriptionOf(goal) : nameOf(goal);
    const templates = TEMPLATES[kind];
    const instruction = fill(templates[rng.int(templates.length)] as string, phrase, direction);
    return { objects, task: { kind, target, direction, naming: zeroShot ? "category" : "type", instruction } };
  }
}
