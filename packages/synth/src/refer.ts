import type { SceneObject } from "./scene.js";

/**
 * How the world's text refers to an object. Robot training instructions use its **name** (color and type: "the
 * red apple"); its **description** (color and category: "the red fruit") appears only in web data and in the
 * zero-shot robot split, so acting on a description needs what the web data taught. Both have the same shape
 * (color, then one noun), so the only new thing a zero-shot instruction asks for is the meaning of the noun.
 */

/** "red fruit": color and category. */
export function descriptionOf(object: Pick<SceneObject, "color" | "category">): string {
  return `${object.color} ${object.category}`;
}

/** True when no other object of the scene has the same color and category, so the description picks out `object`. */
export function describesOne(objects: readonly SceneObject[], object: SceneObject): boolean {
  return objects.every((o) => o === object || o.color !== object.color || o.category !== object.category);
}

/** Where an object is, by quarter of the table seen from the camera. */
export const REGIONS = ["top left", "top right", "bottom left", "bottom right"] as const;
export type Region = (typeof REGIONS)[number];

/** Positions this close (table units) to the table's middle lines have no region: too close to call. */
export const REGION_MARGIN = 0.04;

/** The quarter of a table position (x from the left, y from the far edge = top of the image), or null near a middle line. */
export function regionOf(position: { x: number; y: number }): Region | null {
  if (Math.abs(position.x - 0.5) < REGION_MARGIN || Math.abs(position.y - 0.5) < REGION_MARGIN) return null;
  return REGIONS[(position.y < 0.5 ? 0 : 2) + (position.x < 0.5 ? 0 : 1)] as Region;
}
