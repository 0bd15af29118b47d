import { ConfigError } from "@cotrain/core";
import type { CanonicalRow } from "@cotrain/core";
import { resolveSpec, transformImages } from "@cotrain/vision";
import type { BatchImage, TransformSpec } from "@cotrain/vision";
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

export interface ImageOptions {
  /** Output size: a square side or [height, width]. */
  size: number | readonly [number, number];
  cameras?: CameraChoice;
  /** The camera order for "stack" (required there). */
  cameraOrder?: readonly string[];
  /** Augmentation seed; image k of a row draws from Rng.from(seed, epoch, source, sample_id, k) (default 0). */
  seed?: number;
  /** false: the evaluation path (no augmentation even when `transform.augment` is set). Default true. */
  augment?: boolean;
  /** The rest of @cotrain/vision's TransformSpec: resize mode, kernel, normalize (not null), augment preset. */
  transform?: Omit<TransformSpec, "width" | "height" | "size">;
}

export interface ImagePlan {
  height: number;
  width: number;
  /** Camera slots K per row. */
  slots: number;
  choice: CameraChoice;
  order: readonly string[];
  seed: number;
  augment: boolean;
  spec: TransformSpec;
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
  if (options.transform?.normalize === null) throw new ConfigError("IMAGE_NORMALIZE", "`image.transform.normalize` cannot be null: the Batch holds Float32 pixels");
  const spec: TransformSpec = { ...options.transform, width, height };
  resolveSpec(spec); // validate now, before any data is read
  return { height, width, slots: choice === "stack" ? order.length : 1, choice, order, seed, augment: options.augment ?? true, spec };
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

/**
 * Pixels [B, H, W, 3K] (NHWC) and the [B, K] image mask, through @cotrain/vision's batch transform (which keeps
 * several images in sharp's thread pool and writes each into its own slot, so timing never changes the result).
 * With one slot vision writes straight into the output; stacked cameras are interleaved along channels after.
 */
export async function fillPixels(picked: readonly (Uint8Array | null)[][], rows: readonly CanonicalRow[], plan: ImagePlan, epoch: number, reuse?: Float32Array): Promise<{ pixels: Float32Array; imageMask: Uint8Array }> {
  const { height: h, width: w, slots: k } = plan;
  const entries: BatchImage[] = [];
  picked.forEach((slots, b) => {
    const row = rows[b] as CanonicalRow;
    slots.forEach((bytes, s) => entries.push(bytes === null ? null : { bytes, key: [epoch, row.source, row.sample_id, s], where: { row: b, id: row.sample_id, field: "images" } }));
  });
  // A recycled output array (the pool's) saves allocating, and faulting in, tens of MB per batch; vision writes
  // every slot, zeros included, so what it held before never shows.
  const out = k === 1 && reuse !== undefined && reuse.length === entries.length * h * w * 3 ? reuse : undefined;
  const result = await transformImages(entries, plan.spec, { seed: plan.seed, augment: plan.augment, ...(out ? { out } : {}) });
  const imageMask = result.ok;
  if (k === 1) return { pixels: result.float32, imageMask };
  const hw = h * w;
  const c = 3 * k;
  const pixels = new Float32Array(picked.length * hw * c);
  const src = result.float32;
  for (let b = 0; b < picked.length; b++) {
    for (let s = 0; s < k; s++) {
      const from = (b * k + s) * hw * 3;
      const to = b * hw * c + s * 3;
      for (let p = 0; p < hw; p++) {
        pixels[to + p * c] = src[from + p * 3] as number;
        pixels[to + p * c + 1] = src[from + p * 3 + 1] as number;
        pixels[to + p * c + 2] = src[from + p * 3 + 2] as number;
      }
    }
  }
  return { pixels, imageMask };
}
