import { ConfigError } from "@cotrain/core";

export type Triple = readonly [number, number, number];

/**
 * Per-channel (R, G, B) mean and std on the [0, 1] scale: float = (uint8 / 255 - mean) / std.
 * - "unit": [0, 1] (mean 0, std 1);
 * - "siglip": [-1, 1] (mean 0.5, std 0.5; SigLIP and PaliGemma);
 * - "imagenet": torchvision's ImageNet statistics (DINOv2, ResNets);
 * - "clip": OpenAI CLIP's statistics (LLaVA's CLIP ViT-L/14 tower).
 */
export const NORMALIZE_PRESETS = {
  unit: { mean: [0, 0, 0], std: [1, 1, 1] },
  siglip: { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] },
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  clip: { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
} as const satisfies Record<string, { mean: Triple; std: Triple }>;

export type NormalizePreset = keyof typeof NORMALIZE_PRESETS;
export type NormalizeSpec = NormalizePreset | { mean: Triple | number; std: Triple | number };

export interface ResolvedNormalize {
  mean: Triple;
  std: Triple;
  /** 3 × 256 lookup table: lut[c * 256 + v] is the float for channel c and byte v (exactly what Float32 stores). */
  lut: Float32Array;
}

export function resolveNormalize(spec: NormalizeSpec): ResolvedNormalize {
  const chosen = typeof spec === "string" ? NORMALIZE_PRESETS[spec] : spec;
  if (chosen === undefined || typeof chosen !== "object") {
    throw new ConfigError("VISION_NORMALIZE", `\`normalize\` must be one of ${Object.keys(NORMALIZE_PRESETS).join(", ")}, {mean, std} or null, got ${JSON.stringify(spec)}`, { field: "normalize" });
  }
  const mean = triple(chosen.mean, "mean");
  const std = triple(chosen.std, "std");
  if (std.some((s) => !(s > 0))) throw new ConfigError("VISION_NORMALIZE", `\`normalize.std\` must be positive, got ${JSON.stringify(std)}`, { field: "normalize.std" });
  const lut = new Float32Array(768);
  for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / 255 - (mean[c] as number)) / (std[c] as number);
  return { mean, std, lut };
}

function triple(value: Triple | number, name: string): Triple {
  const t = typeof value === "number" ? [value, value, value] : value;
  if (!Array.isArray(t) || t.length !== 3 || !t.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new ConfigError("VISION_NORMALIZE", `\`normalize.${name}\` must be a finite number or three of them, got ${JSON.stringify(value)}`, { field: `normalize.${name}` });
  }
  return [t[0], t[1], t[2]] as Triple;
}

/** Writes the normalized floats of Uint8 HWC RGB pixels into `out` from `offset` (no allocation). */
export function normalizeInto(pixels: Uint8Array, lut: Float32Array, out: Float32Array, offset = 0): void {
  const n = pixels.length;
  for (let i = 0; i < n; i += 3) {
    out[offset + i] = lut[pixels[i] as number] as number;
    out[offset + i + 1] = lut[256 + (pixels[i + 1] as number)] as number;
    out[offset + i + 2] = lut[512 + (pixels[i + 2] as number)] as number;
  }
}
