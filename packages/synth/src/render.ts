import sharp from "sharp";
import type { SceneView } from "./scene.js";
import type { Limit } from "./pool.js";
import { fmt, objectSvg } from "./shapes.js";

export interface RenderOptions {
  /** Width and height in pixels (default 64). */
  size?: number;
  /** JPEG quality 1–100 (default 90). */
  quality?: number;
}

const TABLE = "#c9b79c";
const TABLE_EDGE = "#a88f6e";
const GRIPPER = "#1c1c1c";
/** Height makes the gripper (and what it holds) look bigger, as it comes closer to the overhead camera. */
const Z_SCALE = 1.5;
/** The shadow slides away from the gripper as it rises: light from the upper left. */
const SHADOW_SHIFT = 18;

function gripperSvg(view: SceneView): string {
  const g = view.gripper;
  const cx = g.x * 100;
  const cy = g.y * 100;
  const scale = 1 + g.z * Z_SCALE;
  const gap = 1.5 + 4.5 * Math.min(1, Math.max(0, g.open));
  const deg = (g.yaw * 180) / Math.PI;
  const shadow = `<ellipse cx="${fmt(cx + g.z * SHADOW_SHIFT)}" cy="${fmt(cy + g.z * SHADOW_SHIFT)}" rx="5.5" ry="5.5" fill="#000000" fill-opacity="0.28"/>`;
  // Two fingers that close across the gripper's yaw axis (so an aligned gripper straddles a hammer's handle),
  // joined by a palm bar; the white dot marks the grasp point exactly.
  const fingers =
    `<rect x="${fmt(-gap - 2.4)}" y="-5" width="2.4" height="10" fill="${GRIPPER}"/>` +
    `<rect x="${fmt(gap)}" y="-5" width="2.4" height="10" fill="${GRIPPER}"/>` +
    `<rect x="${fmt(-gap - 2.4)}" y="-6.5" width="${fmt(2 * gap + 4.8)}" height="2" fill="${GRIPPER}"/>` +
    `<circle r="0.9" fill="#ffffff"/>`;
  const held = view.held === null ? "" : heldSvg(view, scale);
  return `${shadow}${held}<g transform="translate(${fmt(cx)} ${fmt(cy)}) rotate(${fmt(deg + 90)}) scale(${fmt(scale)})">${fingers}</g>`;
}

function heldSvg(view: SceneView, scale: number): string {
  const object = view.objects[view.held as number];
  if (!object) throw new RangeError(`held object ${view.held} is not in the scene`);
  return objectSvg(object.type, object.color, object.x * 100, object.y * 100, object.yaw, scale);
}

/** The scene as an SVG document of `size`×`size` pixels (viewBox 0..100 in table units × 100). */
export function sceneSvg(view: SceneView, size = 64): string {
  const objects = view.objects
    .map((o, i) => (i === view.held ? "" : objectSvg(o.type, o.color, o.x * 100, o.y * 100, o.yaw)))
    .join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100">` +
    `<rect width="100" height="100" fill="${TABLE_EDGE}"/><rect x="3" y="3" width="94" height="94" fill="${TABLE}"/>` +
    `${objects}${gripperSvg(view)}</svg>`
  );
}

/** Views per sheet: one SVG render of at most ~4 megapixels. */
const SHEET_PIXELS = 4_000_000;

function checkImageOptions(size: number, quality: number): void {
  if (!Number.isInteger(size) || size < 16 || size > 1024) throw new RangeError(`imageSize must be an integer 16..1024, got ${size}`);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new RangeError(`jpegQuality must be an integer 1..100, got ${quality}`);
}

/**
 * Renders views to JPEG bytes with sharp (librsvg, then mozjpeg). Views are drawn as one tall SVG sheet of
 * nested, clipping <svg> tiles at whole-pixel offsets, which rasterizes each tile to exactly the pixels it gets
 * alone (a test checks) at a fraction of the per-call cost; each tile is then encoded on its own. The same view
 * always gives the same bytes. `limit` bounds the sharp calls in flight.
 */
export async function renderViews(views: readonly SceneView[], options: RenderOptions = {}, limit: Limit = (job) => job()): Promise<Uint8Array[]> {
  const size = options.size ?? 64;
  const quality = options.quality ?? 90;
  checkImageOptions(size, quality);
  const perSheet = Math.max(1, Math.floor(SHEET_PIXELS / (size * size)));
  const tile = size * size * 3;
  const out: Promise<Uint8Array>[] = [];
  for (let from = 0; from < views.length; from += perSheet) {
    const group = views.slice(from, from + perSheet);
    const tiles = group.map((v, i) => sceneSvg(v, size).replace("<svg ", `<svg x="0" y="${i * size}" `)).join("");
    const sheet = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size * group.length}">${tiles}</svg>`;
    const pixels = limit(() => sharp(Buffer.from(sheet)).removeAlpha().raw().toBuffer());
    for (let i = 0; i < group.length; i++) {
      out.push(
        pixels.then(async (data) => {
          const raw = data.subarray(i * tile, (i + 1) * tile);
          const jpeg = await limit(() => sharp(raw, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality, chromaSubsampling: "4:4:4" }).toBuffer());
          return new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
        }),
      );
    }
  }
  return Promise.all(out);
}

/** One view to JPEG bytes (the same bytes `renderViews` gives it in any sheet). */
export async function renderView(view: SceneView, options: RenderOptions = {}): Promise<Uint8Array> {
  return (await renderViews([view], options))[0] as Uint8Array;
}
