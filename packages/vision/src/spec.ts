import { ConfigError } from "@cotrain/core";
import { resolveAugment } from "./augment.js";
import type { AugmentPreset, AugmentSpec, ResolvedAugment } from "./augment.js";
import { resolveNormalize } from "./normalize.js";
import type { NormalizeSpec, ResolvedNormalize } from "./normalize.js";

/**
 * How an encoded image becomes a model input. `undefined` fields take the documented default. A spec object is
 * validated once and cached by identity: treat it as immutable once used (build a new object to change it).
 */
export interface TransformSpec {
  /** Output width in pixels (or give `size`). */
  width?: number;
  /** Output height in pixels (or give `size`). */
  height?: number;
  /** A square side or [height, width]; `width`/`height` win where both are given. */
  size?: number | readonly [number, number];
  /**
   * "crop" (default): scale the shorter side to the target and cut the centre (the model sees no distortion);
   * "squash": scale each axis to the target independently (the whole frame, aspect ratio distorted).
   */
  resize?: ResizeMode;
  /** Resampling kernel of sharp's resize. Default "lanczos3" (the kernel Octo's dlimp resize uses). */
  kernel?: Kernel;
  /** Float output normalization: a preset, explicit {mean, std} on the [0, 1] scale, or null for Uint8 only. Default "unit". */
  normalize?: NormalizeSpec | null;
  /** Training augmentation: a preset name, a spec (fields left out keep the Octo defaults, null turns one off), or null. */
  augment?: AugmentPreset | AugmentSpec | null;
  /**
   * Area fraction of the deterministic centre crop taken when not augmenting (default 1). OpenVLA evaluates a
   * model trained with `augment: "openvla"` (random crops of 0.9 of the area) on the centre 0.9 of the area.
   */
  centerScale?: number;
  /**
   * Let libjpeg decode a JPEG at the smallest DCT scale (1/2, 1/4, 1/8) whose size still covers the output
   * before resizing, as PIL's `draft` does: a 640×480 → 224 image decodes at 320×240, ~25% less CPU, with a
   * mean difference of about one grey level from the full decode. Default false (the pixels of
   * `sharp().resize()`). It needs the direct libvips decoder (decoder-choice.ts): where that cannot load, true is
   * a ConfigError rather than other pixels. Plain 8-bit sRGB JPEGs only; others decode at full size.
   */
  shrinkOnLoad?: boolean;
}

export type ResizeMode = "crop" | "squash";
export type Kernel = "nearest" | "linear" | "cubic" | "mitchell" | "lanczos2" | "lanczos3" | "mks2013" | "mks2021";

const KERNELS: readonly Kernel[] = ["nearest", "linear", "cubic", "mitchell", "lanczos2", "lanczos3", "mks2013", "mks2021"];

/** A validated spec with every default filled in. */
export interface ResolvedSpec {
  width: number;
  height: number;
  resize: ResizeMode;
  kernel: Kernel;
  normalize: ResolvedNormalize | null;
  augment: ResolvedAugment | null;
  centerScale: number;
  shrinkOnLoad: boolean;
}

// Specs are usually built once and applied to millions of images: resolve each object once.
const resolved = new WeakMap<object, ResolvedSpec>();

export function resolveSpec(spec: TransformSpec): ResolvedSpec {
  if (spec === null || typeof spec !== "object") throw new ConfigError("VISION_SPEC", `the transform spec must be an object, got ${JSON.stringify(spec)}`);
  const cached = resolved.get(spec);
  if (cached !== undefined) return cached;
  const [sizeH, sizeW] = spec.size === undefined ? [undefined, undefined] : typeof spec.size === "number" ? [spec.size, spec.size] : [spec.size[0], spec.size[1]];
  const width = spec.width ?? sizeW;
  const height = spec.height ?? sizeH;
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (v === undefined) throw new ConfigError("VISION_SIZE", `the transform spec needs \`${name}\` (or \`size\`)`, { field: name });
    if (!Number.isInteger(v) || v < 1 || v > 16384) throw new ConfigError("VISION_SIZE", `\`${name}\` must be an integer 1..16384, got ${JSON.stringify(v)}`, { field: name });
  }
  const resize = spec.resize ?? "crop";
  if (resize !== "crop" && resize !== "squash") throw new ConfigError("VISION_RESIZE", `\`resize\` must be "crop" or "squash", got ${JSON.stringify(resize)}`, { field: "resize" });
  const kernel = spec.kernel ?? "lanczos3";
  if (!KERNELS.includes(kernel)) throw new ConfigError("VISION_KERNEL", `\`kernel\` must be one of ${KERNELS.join(", ")}, got ${JSON.stringify(kernel)}`, { field: "kernel" });
  const centerScale = spec.centerScale ?? 1;
  if (typeof centerScale !== "number" || !(centerScale > 0 && centerScale <= 1)) {
    throw new ConfigError("VISION_CENTER_SCALE", `\`centerScale\` must be in (0, 1], got ${JSON.stringify(centerScale)}`, { field: "centerScale" });
  }
  const shrinkOnLoad = spec.shrinkOnLoad ?? false;
  if (typeof shrinkOnLoad !== "boolean") throw new ConfigError("VISION_SHRINK_ON_LOAD", `\`shrinkOnLoad\` must be a boolean, got ${JSON.stringify(shrinkOnLoad)}`, { field: "shrinkOnLoad" });
  const out: ResolvedSpec = {
    width: width as number,
    height: height as number,
    resize,
    kernel,
    normalize: spec.normalize === null ? null : resolveNormalize(spec.normalize ?? "unit"),
    augment: spec.augment === null || spec.augment === undefined ? null : resolveAugment(spec.augment),
    centerScale,
    shrinkOnLoad,
  };
  resolved.set(spec, out);
  return out;
}
