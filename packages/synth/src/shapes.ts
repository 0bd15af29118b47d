import { COLORS } from "./objects.js";
import type { ColorName } from "./objects.js";

/**
 * One SVG drawing per object type, in a local frame centred on the object (units: 1/100 of the table, about
 * 14 units across before OBJECT_SCALE, so 11 px at 64×64). Each type has its own silhouette, so type and color are separate cues:
 * a small model can learn "ball" from shape and "red" from hue independently.
 */

const METAL = "#9aa3ad";
const STEM = "#6b4423";
const LEAF = "#3f8f2f";

/** The color scaled towards black, for outlines that keep a shape readable on the table. */
export function darker(hex: string, factor = 0.6): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const c = (shift: number): string => Math.round(((n >> shift) & 255) * factor).toString(16).padStart(2, "0");
  return `#${c(16)}${c(8)}${c(0)}`;
}

type Draw = (fill: string, edge: string) => string;

const SHAPES: Record<string, Draw> = {
  apple: (f, e) =>
    `<circle r="6.5" cy="1" fill="${f}" stroke="${e}" stroke-width="0.8"/><rect x="-0.6" y="-7.5" width="1.2" height="3.5" fill="${STEM}"/><ellipse cx="2.6" cy="-6" rx="2.4" ry="1.2" fill="${LEAF}"/>`,
  banana: (f, e) => `<path d="M-8,-2 Q0,9 8,-2 Q0,4 -8,-2 Z" fill="${f}" stroke="${e}" stroke-width="0.8"/><circle cx="-8" cy="-2" r="0.9" fill="${STEM}"/>`,
  orange: (f, e) => `<circle r="6.5" fill="${f}" stroke="${e}" stroke-width="0.8"/><circle cx="1.5" cy="-1.5" r="1" fill="${e}"/>`,
  grape: (f, e) =>
    [[-3.4, -3], [0, -3], [3.4, -3], [-1.7, 0], [1.7, 0], [0, 3]].map(([x, y]) => `<circle cx="${x}" cy="${y}" r="2.1" fill="${f}" stroke="${e}" stroke-width="0.6"/>`).join("") +
    `<rect x="-0.5" y="-7.5" width="1" height="3" fill="${STEM}"/>`,
  pear: (f, e) => `<circle cy="2.5" r="5" fill="${f}" stroke="${e}" stroke-width="0.8"/><circle cy="-3" r="3.2" fill="${f}" stroke="${e}" stroke-width="0.8"/><rect x="-0.5" y="-8" width="1" height="2.5" fill="${STEM}"/>`,
  block: (f, e) => `<rect x="-5.5" y="-5.5" width="11" height="11" fill="${f}" stroke="${e}" stroke-width="1"/><rect x="-2" y="-2" width="4" height="4" fill="${e}"/>`,
  ball: (f, e) => `<circle r="6" fill="${f}" stroke="${e}" stroke-width="0.8"/><rect x="-6" y="-1.3" width="12" height="2.6" fill="#ffffff"/>`,
  car: (f, e) =>
    `<rect x="-7.5" y="-3.5" width="15" height="7" rx="2" fill="${f}" stroke="${e}" stroke-width="0.8"/><rect x="-2.5" y="-2.5" width="5" height="5" fill="#dfe8f0"/>` +
    [[-5, -4.3], [5, -4.3], [-5, 4.3], [5, 4.3]].map(([x, y]) => `<rect x="${(x as number) - 1.6}" y="${(y as number) - 1}" width="3.2" height="2" fill="#1a1a1a"/>`).join(""),
  hammer: (f, e) => `<rect x="-8" y="-1.2" width="12" height="2.4" fill="${f}" stroke="${e}" stroke-width="0.5"/><rect x="4" y="-5" width="4" height="10" fill="${METAL}" stroke="#555" stroke-width="0.6"/>`,
  wrench: (f, e) =>
    `<rect x="-5" y="-1.2" width="10" height="2.4" fill="${f}" stroke="${e}" stroke-width="0.5"/><circle cx="6" r="3.4" fill="${f}" stroke="${e}" stroke-width="0.6"/><rect x="6" y="-1.2" width="4" height="2.4" fill="#c9b79c"/><circle cx="-6" r="2.2" fill="${f}" stroke="${e}" stroke-width="0.5"/>`,
  // Centred on the grip, where a gripper takes it; the thin shaft sticks out to one side.
  screwdriver: (f, e) => `<rect x="-4" y="-2.2" width="7" height="4.4" rx="1.5" fill="${f}" stroke="${e}" stroke-width="0.6"/><rect x="3" y="-0.7" width="7" height="1.4" fill="${METAL}"/>`,
};

/** Drawings are made at 1/100 of the table and shown 1.25 times larger, to stay legible at 64×64. */
const OBJECT_SCALE = 1.25;

/** The SVG group of one object placed at (cx, cy) in viewBox units, rotated by yaw and scaled by `scale`. */
export function objectSvg(type: string, color: ColorName, cx: number, cy: number, yaw: number, scale = 1): string {
  const draw = SHAPES[type];
  if (!draw) throw new RangeError(`no drawing for object type ${JSON.stringify(type)}`);
  const fill = COLORS[color];
  const deg = (yaw * 180) / Math.PI;
  return `<g transform="translate(${fmt(cx)} ${fmt(cy)}) rotate(${fmt(deg)}) scale(${fmt(scale * OBJECT_SCALE)})">${draw(fill, darker(fill))}</g>`;
}

/** Fixed-precision numbers keep the SVG text (and so the image bytes) independent of float printing quirks. */
export function fmt(value: number): string {
  return (Math.round(value * 1000) / 1000).toString();
}
