import type { Rng } from "@cotrain/core";
import { OBJECT_KINDS, kindOf } from "./objects.js";
import type { Category, ColorName, ObjectKind } from "./objects.js";

/**
 * Table coordinates: x from the image's left edge (0) to its right edge (1), y from the far edge (0, top of the
 * image) to the near edge (1, bottom), z the height above the table (0). The camera looks straight down, so an
 * object's table position is its image position, which is what makes actions learnable from pixels.
 */
export interface SceneObject {
  type: string;
  category: Category;
  color: ColorName;
  x: number;
  y: number;
  /** Rotation in radians about the vertical axis (0 for round objects). */
  yaw: number;
}

export interface Gripper {
  x: number;
  y: number;
  z: number;
  yaw: number;
  /** 1 open, 0 closed. */
  open: number;
}

/** What one image shows: objects where they are now, the gripper, and which object (if any) it holds. */
export interface SceneView {
  objects: SceneObject[];
  gripper: Gripper;
  held: number | null;
}

export interface SceneOptions {
  minObjects?: number;
  maxObjects?: number;
  /** Objects that must be in the scene (placed at random positions like the rest). */
  include?: { type: string; color: ColorName }[];
}

export const TABLE_MARGIN = 0.15;
export const MIN_SEPARATION = 0.22;
const GRIPPER_CLEARANCE = 0.14;

/** "red apple": how instructions and answers name an object. */
export function nameOf(object: { type: string; color: ColorName }): string {
  return `${object.color} ${object.type}`;
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

/** A random type and color, drawn from `kinds` (default: all), that is not already in `taken`. */
export function drawObjectKind(rng: Rng, taken: ReadonlySet<string>, kinds: readonly ObjectKind[] = OBJECT_KINDS): { type: string; color: ColorName } {
  for (;;) {
    const kind = pick(rng, kinds);
    const color = pick(rng, kind.colors);
    if (!taken.has(nameOf({ type: kind.type, color }))) return { type: kind.type, color };
  }
}

/**
 * A table with 2–4 objects of distinct (color, type) pairs, so "the red apple" always names exactly one object
 * (two blocks of different colors may share a scene: then only the color tells them apart), each at the centre
 * of its own grid cell (see GRID).
 */
export function makeScene(rng: Rng, options: SceneOptions = {}): SceneObject[] {
  const min = options.minObjects ?? 2;
  const max = options.maxObjects ?? 4;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min || max > 6) {
    throw new RangeError(`objects per scene must be integers with 1 ≤ min ≤ max ≤ 6, got ${min}..${max}`);
  }
  const include = options.include ?? [];
  const count = Math.max(include.length, min + rng.int(max - min + 1));
  const taken = new Set(include.map(nameOf));
  if (taken.size !== include.length) throw new RangeError(`include names an object twice: ${include.map(nameOf).join(", ")}`);
  const picks = [...include];
  while (picks.length < count) {
    const next = drawObjectKind(rng, taken);
    taken.add(nameOf(next));
    picks.push(next);
  }
  rng.shuffle(picks);
  const cells = rng.shuffle(Array.from({ length: GRID * GRID }, (_, i) => i)).slice(0, picks.length);
  return picks.map(({ type, color }, i) => {
    const kind = kindOf(type);
    const { x, y } = cellCentre(cells[i] as number);
    return { type, category: kind.category, color, x, y, yaw: kind.oriented ? rng.uniform(-0.8, 0.8) : 0 };
  });
}

/**
 * Objects stand at the centres of a GRID × GRID grid of cells (a tray with compartments), one object per cell. A
 * cell is exactly one 16-pixel patch of a 64×64 image, so for the demo's patch-16 model an object is one image
 * token: a model trained for minutes on two CPU cores learns what and where an object is, instead of first having
 * to learn to put together an object cut across patches at any offset.
 */
export const GRID = 4;

/** The centre of cell `index` (row-major, top-left first) in table units. */
export function cellCentre(index: number): { x: number; y: number } {
  return { x: ((index % GRID) + 0.5) / GRID, y: (Math.floor(index / GRID) + 0.5) / GRID };
}

/** A uniformly drawn table position at least `clearance` from every object (rejection sampling, seeded). */
export function freeSpot(rng: Rng, objects: readonly { x: number; y: number }[], clearance: number, margin = TABLE_MARGIN): { x: number; y: number } {
  for (let tries = 0; ; tries++) {
    const x = rng.uniform(margin, 1 - margin);
    const y = rng.uniform(margin, 1 - margin);
    if (objects.every((o) => Math.hypot(o.x - x, o.y - y) >= clearance)) return { x, y };
    if (tries > 10_000) throw new RangeError(`no free spot ${clearance} away from ${objects.length} objects`);
  }
}

/** The gripper's start: open, hovering, clear of every object so it never hides one in the first frame. */
export function placeGripper(rng: Rng, objects: readonly SceneObject[]): Gripper {
  const { x, y } = freeSpot(rng, objects, GRIPPER_CLEARANCE, 0.1);
  return { x, y, z: rng.uniform(0.12, 0.2), yaw: rng.uniform(-0.3, 0.3), open: 1 };
}
