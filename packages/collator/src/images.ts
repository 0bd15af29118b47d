import { ConfigError, hashSeed } from "@cotrain/core";
import type { CanonicalRow, ErrorLocation } from "@cotrain/core";
import { bump } from "./stats.js";
import type { CollatorStats } from "./stats.js";

/**
 * Which images of a row reach the model:
 * - "first": the row's first image;
 * - a camera name: that camera on robot rows (missing → zeros, counted);
 * - "stack": every camera of `cameraOrder`, concatenated along channels (C = 3 × cameras), missing ones zeros.
 * Web rows have one image (or none); under "stack" it fills the first slot.
 */
export type CameraChoice = "stack" | "first" | (string & {});

export interface ImageOptions<Spec = unknown> {
  /** Output size: a square side or [height, width]. */
  size: number | readonly [number, number];
  cameras?: CameraChoice;
  /** The camera order for "stack" (required there). */
  cameraOrder?: readonly string[];
  /** Augmentation seed; each image gets hash(seed, epoch, source, sample_id, slot). */
  seed?: number;
  /** The transform spec handed to @cotrain/vision (resize mode, crops, color jitter, normalization). */
  transform?: Spec;
}

export interface ImagePlan {
  height: number;
  width: number;
  /** Camera slots K per row. */
  slots: number;
  choice: CameraChoice;
  order: readonly string[];
  seed: number;
}

export function resolveImages(options: ImageOptions | null | undefined): ImagePlan | null {
  if (!options) return null;
  const [height, width] = typeof options.size === "number" ? [options.size, options.size] : options.size;
  for (const [name, v] of [["height", height], ["width", width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ConfigError("IMAGE_SIZE", `\`image.size\` ${name} must be a positive integer, got ${v}`);
  }
  const choice = options.cameras ?? "first";
  const order = options.cameraOrder ?? [];
  if (choice === "stack" && order.length === 0) throw new ConfigError("IMAGE_CAMERAS", '`image.cameras: "stack"` needs `image.cameraOrder` (the camera names in channel order)');
  if (new Set(order).size !== order.length) throw new ConfigError("IMAGE_CAMERAS", `\`image.cameraOrder\` repeats a camera: ${JSON.stringify(order)}`);
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw new ConfigError("IMAGE_SEED", `\`image.seed\` must be a non-negative integer, got ${seed}`);
  return { height, width, slots: choice === "stack" ? order.length : 1, choice, order, seed };
}

/** The encoded image for each camera slot of a row (null = zeros), counting what is missing or unused. */
export function pickImages(row: CanonicalRow, plan: ImagePlan | null, stats: CollatorStats): (Uint8Array | null)[] {
  const k = plan?.slots ?? 1;
  const slots: (Uint8Array | null)[] = new Array<Uint8Array | null>(k).fill(null);
  const images = row.images;
  if (images.length === 0) return slots;
  if (row.kind !== "robot" || plan === null || plan.choice === "first") {
    slots[0] = images[0] as Uint8Array;
    stats.unusedImages += images.length - 1;
    return slots;
  }
  const names = plan.choice === "stack" ? plan.order : [plan.choice];
  let used = 0;
  names.forEach((name, s) => {
    const at = row.cameras.indexOf(name);
    if (at < 0) bump(stats.missingCameras, name);
    else {
      slots[s] = images[at] as Uint8Array;
      used++;
    }
  });
  stats.unusedImages += images.length - used;
  return slots;
}

/** A transformed image: HWC pixels at the plan's size, 3 channels, Float32 (or Uint8 scaled to [0, 1]). */
export interface TransformedPixels {
  data: Float32Array | Uint8Array;
  width: number;
  height: number;
}

export type ImageTransformFn = (bytes: Uint8Array, seed: number, where: ErrorLocation) => Promise<TransformedPixels>;

/**
 * Fills pixels [B, H, W, 3K] (NHWC) and the [B, K] image mask. All images of the batch are transformed
 * concurrently (sharp works on its own thread pool); each writes only its own slot, so the order of completion
 * does not change the result.
 */
export async function fillPixels(picked: readonly (Uint8Array | null)[][], rows: readonly CanonicalRow[], plan: ImagePlan, epoch: number, transform: ImageTransformFn): Promise<{ pixels: Float32Array; imageMask: Uint8Array }> {
  const { height: h, width: w, slots: k } = plan;
  const c = 3 * k;
  const pixels = new Float32Array(picked.length * h * w * c);
  const imageMask = new Uint8Array(picked.length * k);
  const jobs: Promise<void>[] = [];
  picked.forEach((slots, b) => {
    const row = rows[b] as CanonicalRow;
    slots.forEach((bytes, s) => {
      if (bytes === null) return;
      imageMask[b * k + s] = 1;
      const where = { row: b, id: row.sample_id, field: "images" };
      const seed = hashSeed(plan.seed, epoch, row.source, row.sample_id, s);
      jobs.push(
        transform(bytes, seed, where).then((img) => {
          if (img.width !== w || img.height !== h || img.data.length !== w * h * 3) {
            throw new ConfigError("IMAGE_TRANSFORM_SIZE", `the vision transform returned ${img.width}×${img.height} (${img.data.length} values), the collator expects ${w}×${h}×3`, where);
          }
          writeSlot(pixels, img.data, b, s, h * w, c);
        }),
      );
    });
  });
  await Promise.all(jobs);
  return { pixels, imageMask };
}

function writeSlot(pixels: Float32Array, data: Float32Array | Uint8Array, b: number, slot: number, hw: number, c: number): void {
  const scale = data instanceof Uint8Array ? 1 / 255 : 1;
  const base = b * hw * c + slot * 3;
  if (c === 3 && scale === 1) {
    pixels.set(data, b * hw * 3);
    return;
  }
  for (let p = 0; p < hw; p++) {
    const o = base + p * c;
    pixels[o] = (data[p * 3] as number) * scale;
    pixels[o + 1] = (data[p * 3 + 1] as number) * scale;
    pixels[o + 2] = (data[p * 3 + 2] as number) * scale;
  }
}
