import { ConfigError, ImageError } from "@cotrain/core";
import type { ErrorLocation, SeedLike } from "@cotrain/core";
import { normalizeInto } from "./normalize.js";
import { decodePlan } from "./pool.js";
import { resolveSpec } from "./spec.js";
import type { TransformSpec } from "./spec.js";
import { transformToBytes } from "./transform.js";

/** One batch entry: bytes alone (key = its index, where = {row: index}), with its own key/location, or null (zeros). */
export type BatchImage = Uint8Array | { bytes: Uint8Array; key?: SeedLike | readonly SeedLike[]; where?: ErrorLocation } | null;

export interface BatchOptions {
  /** Augmentation seed; image i draws from `Rng.from(seed, ...key_i)`. */
  seed?: SeedLike;
  /** false: evaluation path even when the spec augments. */
  augment?: boolean;
  /** A preallocated [B, H, W, 3] Float32Array to fill (reused across batches); allocated when absent. */
  out?: Float32Array;
  /** Images in flight (default: the decode plan's, from the core count). */
  inFlight?: number;
  /** "raise" (default): the first undecodable image (lowest index) rejects. "skip": its slot is zeros, ok[i] = 0. */
  onError?: "raise" | "skip";
}

export interface BatchResult {
  /** [B, H, W, 3] normalized pixels (the `out` given, or a new array). */
  float32: Float32Array;
  count: number;
  width: number;
  height: number;
  channels: 3;
  /** 1 where slot i holds an image; 0 for a null entry or a skipped failure. */
  ok: Uint8Array;
  /** The failures skipped under onError "skip", by index. */
  errors: { index: number; error: ImageError }[];
}

/**
 * Transforms a list of encoded images into one [B, H, W, 3] Float32Array, keeping `inFlight` images in sharp's
 * thread pool at once. Each image writes only its own slot, so completion order never changes the result.
 */
export async function transformImages(images: readonly BatchImage[], spec: TransformSpec, options: BatchOptions = {}): Promise<BatchResult> {
  const resolved = resolveSpec(spec);
  if (resolved.normalize === null) throw new ConfigError("VISION_NORMALIZE", "transformImages writes Float32 pixels, so the spec's `normalize` cannot be null (use transformImage for Uint8 only)", { field: "normalize" });
  const lut = resolved.normalize.lut;
  const count = images.length;
  const slot = resolved.width * resolved.height * 3;
  const out = options.out ?? new Float32Array(count * slot);
  if (out.length !== count * slot) throw new RangeError(`options.out must hold ${count}×${resolved.height}×${resolved.width}×3 = ${count * slot} floats, got ${out.length}`);
  const inFlight = options.inFlight ?? decodePlan().inFlight;
  if (!Number.isInteger(inFlight) || inFlight < 1) throw new RangeError(`options.inFlight must be a positive integer, got ${inFlight}`);
  const skip = options.onError === "skip";
  const ok = new Uint8Array(count);
  const errors: { index: number; error: ImageError }[] = [];
  let next = 0;
  let stop = false;

  const one = async (i: number): Promise<void> => {
    const entry = images[i];
    if (entry === null || entry === undefined) {
      out.fill(0, i * slot, (i + 1) * slot);
      return;
    }
    const item = entry instanceof Uint8Array ? { bytes: entry } : entry;
    const where = item.where ?? { row: i };
    try {
      const pixels = await transformToBytes(item.bytes, resolved, { seed: options.seed, key: item.key ?? i, where, augment: options.augment });
      normalizeInto(pixels, lut, out, i * slot);
      ok[i] = 1;
    } catch (error) {
      if (!(error instanceof ImageError)) {
        stop = true;
        throw error;
      }
      errors.push({ index: i, error });
      out.fill(0, i * slot, (i + 1) * slot);
      if (!skip) stop = true;
    }
  };
  const worker = async (): Promise<void> => {
    while (!stop && next < count) await one(next++);
  };
  const workers = Array.from({ length: Math.min(inFlight, count) }, worker);
  const settled = await Promise.allSettled(workers);
  const crashed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (crashed !== undefined) throw crashed.reason;
  errors.sort((a, b) => a.index - b.index);
  // Images are started in index order, so the lowest failed index is the same whatever the timing.
  if (!skip && errors.length > 0) throw (errors[0] as { error: ImageError }).error;
  return { float32: out, count, width: resolved.width, height: resolved.height, channels: 3, ok, errors };
}
