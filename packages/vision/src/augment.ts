import { ConfigError } from "@cotrain/core";
import type { Rng } from "@cotrain/core";

export type Range = readonly [number, number];

/**
 * Training augmentation, in the order Octo and OpenVLA apply it (dlimp's `augment_image`):
 * random resized crop, then brightness, contrast, saturation, hue. A field set to null is off.
 */
export interface AugmentSpec {
  /** The preset the other fields override (default "octo"). */
  preset?: AugmentPreset;
  /**
   * Random resized crop: area fraction `scale` and aspect ratio `ratio` (width/height relative to the framed
   * image, drawn log-uniformly) of a window placed uniformly inside the frame, then resized to the output.
   */
  crop?: { scale: Range; ratio: Range } | null;
  /** Additive brightness delta drawn from [-b, b] on the [0, 1] scale. */
  brightness?: number | null;
  /** Contrast factor range around each channel's mean. */
  contrast?: Range | null;
  /** Saturation factor range (HSV S multiplied, clipped to 1). */
  saturation?: Range | null;
  /** Hue shift drawn from [-h, h] as a fraction of the colour circle (0.5 = 180°). */
  hue?: number | null;
}

export interface ResolvedAugment {
  crop: { scale: Range; ratio: Range } | null;
  brightness: number | null;
  contrast: Range | null;
  saturation: Range | null;
  hue: number | null;
}

/**
 * - "octo": Octo's `image_augment_kwargs` for the primary camera (scale 0.8–1, ratio 0.9–1.1, brightness 0.2,
 *   contrast and saturation 0.8–1.2, hue 0.1);
 * - "openvla": OpenVLA's `image_aug` (a crop of 0.9 of the area at a fixed square ratio, hue 0.05);
 * - "color": Octo's colour jitter without the crop (OpenVLA-style wrist cameras).
 */
export const AUGMENT_PRESETS = {
  octo: { crop: { scale: [0.8, 1.0], ratio: [0.9, 1.1] }, brightness: 0.2, contrast: [0.8, 1.2], saturation: [0.8, 1.2], hue: 0.1 },
  openvla: { crop: { scale: [0.9, 0.9], ratio: [1.0, 1.0] }, brightness: 0.2, contrast: [0.8, 1.2], saturation: [0.8, 1.2], hue: 0.05 },
  color: { crop: null, brightness: 0.2, contrast: [0.8, 1.2], saturation: [0.8, 1.2], hue: 0.1 },
} as const satisfies Record<string, ResolvedAugment>;

export type AugmentPreset = keyof typeof AUGMENT_PRESETS;

export function resolveAugment(spec: AugmentPreset | AugmentSpec): ResolvedAugment {
  const fromPreset = (name: unknown): ResolvedAugment => {
    const preset = typeof name === "string" ? (AUGMENT_PRESETS as Record<string, ResolvedAugment>)[name] : undefined;
    if (preset === undefined) throw new ConfigError("VISION_AUGMENT", `\`augment\` preset must be one of ${Object.keys(AUGMENT_PRESETS).join(", ")}, got ${JSON.stringify(name)}`, { field: "augment" });
    return preset;
  };
  if (typeof spec === "string") return fromPreset(spec);
  if (spec === null || typeof spec !== "object") throw new ConfigError("VISION_AUGMENT", `\`augment\` must be a preset name, an object or null, got ${JSON.stringify(spec)}`, { field: "augment" });
  const base = fromPreset(spec.preset ?? "octo");
  const pick = <K extends keyof ResolvedAugment>(key: K): ResolvedAugment[K] => (spec[key] === undefined ? base[key] : (spec[key] as ResolvedAugment[K]));
  const crop = pick("crop");
  if (crop !== null) {
    checkRange(crop.scale, "augment.crop.scale", 0, 1);
    checkRange(crop.ratio, "augment.crop.ratio", 0, Number.POSITIVE_INFINITY);
  }
  const brightness = pick("brightness");
  if (brightness !== null) checkMax(brightness, "augment.brightness", 1);
  const contrast = pick("contrast");
  if (contrast !== null) checkRange(contrast, "augment.contrast", 0, Number.POSITIVE_INFINITY, true);
  const saturation = pick("saturation");
  if (saturation !== null) checkRange(saturation, "augment.saturation", 0, Number.POSITIVE_INFINITY, true);
  const hue = pick("hue");
  if (hue !== null) checkMax(hue, "augment.hue", 0.5);
  return { crop, brightness, contrast, saturation, hue };
}

function checkRange(r: Range, field: string, min: number, max: number, zeroOk = false): void {
  const ok = Array.isArray(r) && r.length === 2 && r.every((v) => typeof v === "number" && Number.isFinite(v)) && r[0] <= r[1] && (zeroOk ? r[0] >= min : r[0] > min) && r[1] <= max;
  if (!ok) throw new ConfigError("VISION_AUGMENT", `\`${field}\` must be [lo, hi] with ${min} ${zeroOk ? "≤" : "<"} lo ≤ hi${Number.isFinite(max) ? ` ≤ ${max}` : ""}, got ${JSON.stringify(r)}`, { field });
}

function checkMax(v: number, field: string, max: number): void {
  if (typeof v !== "number" || !(v >= 0 && v <= max)) throw new ConfigError("VISION_AUGMENT", `\`${field}\` must be a number in [0, ${max}], got ${JSON.stringify(v)}`, { field });
}

/** One sample's draw: a crop window relative to the frame (0..1 units) and the colour parameters. */
export interface AugmentDraw {
  crop: { x: number; y: number; w: number; h: number } | null;
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
}

/**
 * Draws one sample's parameters. Always consumes the same eight uniforms in the same order, whatever is on, so
 * switching one augmentation off leaves the draws of the others unchanged.
 */
export function drawAugment(aug: ResolvedAugment, rng: Rng): AugmentDraw {
  const u = [rng.float(), rng.float(), rng.float(), rng.float(), rng.float(), rng.float(), rng.float(), rng.float()] as const;
  const lerp = (r: Range, t: number): number => r[0] + (r[1] - r[0]) * t;
  let crop: AugmentDraw["crop"] = null;
  if (aug.crop !== null) {
    const scale = lerp(aug.crop.scale, u[0]);
    const ratio = Math.exp(lerp([Math.log(aug.crop.ratio[0]), Math.log(aug.crop.ratio[1])], u[1]));
    const h = Math.min(1, Math.sqrt(scale / ratio));
    const w = Math.min(1, Math.sqrt(scale * ratio));
    crop = { x: (1 - w) * u[3], y: (1 - h) * u[2], w, h };
  }
  return {
    crop,
    brightness: aug.brightness === null ? 0 : lerp([-aug.brightness, aug.brightness], u[4]),
    contrast: aug.contrast === null ? 1 : lerp(aug.contrast, u[5]),
    saturation: aug.saturation === null ? 1 : lerp(aug.saturation, u[6]),
    hue: aug.hue === null ? 0 : lerp([-aug.hue, aug.hue], u[7]),
  };
}
