import * as vision from "@cotrain/vision";
import { UnsupportedError } from "@cotrain/core";
import type { ImagePlan, ImageTransformFn } from "./images.js";

/** Binds @cotrain/vision's transform to the plan's output size and the user's spec. */
export function visionTransform(plan: ImagePlan, spec: unknown): ImageTransformFn {
  const transformImage = (vision as Record<string, unknown>).transformImage as ((bytes: Uint8Array, spec: unknown, options: unknown) => Promise<{ uint8: Uint8Array; float32?: Float32Array; width: number; height: number }>) | undefined;
  if (typeof transformImage !== "function") throw new UnsupportedError("VISION_TRANSFORM", "@cotrain/vision has no transformImage yet");
  const full = { ...(spec as object), width: plan.width, height: plan.height };
  return async (bytes, seed, where) => {
    const out = await transformImage(bytes, full, { seed, where });
    return { data: out.float32 ?? out.uint8, width: out.width, height: out.height };
  };
}
