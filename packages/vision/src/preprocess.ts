import sharp from "sharp";
import { ConfigError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import { imageFailure } from "./decode.js";
import { encodeRawImage } from "./raw-image.js";
import { resolveSpec } from "./spec.js";
import type { Kernel, ResizeMode, ResolvedSpec } from "./spec.js";
import { transformToBytes } from "./transform.js";

export type PreprocessFormat = "jpeg" | "png" | "raw";

/**
 * How images are resized ahead of training (`cotrain convert --image-size`). `size`, `resize` and `kernel` mean
 * what they mean in a TransformSpec, with the same defaults, so a preprocessed image holds the pixels the online
 * path would compute.
 */
export interface PreprocessOptions {
  /** A square side or [height, width]. */
  size: number | readonly [number, number];
  /** "crop" (default) or "squash", as in TransformSpec. */
  resize?: ResizeMode;
  /** Resampling kernel (default "lanczos3", as in TransformSpec). */
  kernel?: Kernel;
  /** "jpeg" (default): small, lossy; "png": lossless, decoded at training; "raw": lossless, never decoded. */
  format?: PreprocessFormat;
  /** JPEG quality 1..100 (default 95); only for format "jpeg". */
  quality?: number;
  /** Decode JPEGs at a reduced DCT scale first, as TransformSpec's `shrinkOnLoad` (default false). */
  shrinkOnLoad?: boolean;
}

/** What was done to the images, every default filled in: JSON, as a shard manifest records it. */
export interface ImagePreprocessing {
  /** [height, width]. */
  size: [number, number];
  resize: ResizeMode;
  kernel: Kernel;
  format: PreprocessFormat;
  /** The JPEG quality; null for png and raw. */
  quality: number | null;
  /** Whether JPEG inputs were decoded at a reduced DCT scale (TransformSpec's `shrinkOnLoad`). */
  shrinkOnLoad: boolean;
}

const FORMATS: readonly PreprocessFormat[] = ["jpeg", "png", "raw"];

interface Plan {
  record: ImagePreprocessing;
  /** The transform spec (no normalization, no augmentation) whose Uint8 output is stored. */
  spec: ResolvedSpec;
}

// Options are usually built once and applied to millions of images: resolve each object once.
const plans = new WeakMap<object, Plan>();

function planOf(options: PreprocessOptions): Plan {
  if (options === null || typeof options !== "object") throw new ConfigError("VISION_PREPROCESS", `preprocess options must be an object, got ${JSON.stringify(options)}`);
  const cached = plans.get(options);
  if (cached !== undefined) return cached;
  const spec = resolveSpec({ size: options.size, resize: options.resize, kernel: options.kernel, normalize: null, shrinkOnLoad: options.shrinkOnLoad });
  const format = options.format ?? "jpeg";
  if (!FORMATS.includes(format)) throw new ConfigError("VISION_FORMAT", `\`format\` must be one of ${FORMATS.join(", ")}, got ${JSON.stringify(format)}`, { field: "format" });
  if (options.quality !== undefined && format !== "jpeg") throw new ConfigError("VISION_QUALITY", `\`quality\` applies to format "jpeg" only, got format ${JSON.stringify(format)}`, { field: "quality" });
  const quality = format === "jpeg" ? (options.quality ?? 95) : null;
  if (quality !== null && !(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new ConfigError("VISION_QUALITY", `\`quality\` must be an integer 1..100, got ${JSON.stringify(quality)}`, { field: "quality" });
  }
  const plan: Plan = { record: { size: [spec.height, spec.width], resize: spec.resize, kernel: spec.kernel, format, quality, shrinkOnLoad: spec.shrinkOnLoad }, spec };
  plans.set(options, plan);
  return plan;
}

/** Validates preprocess options and returns them with every default filled in (the manifest's record). */
export function resolvePreprocess(options: PreprocessOptions): ImagePreprocessing {
  const { record } = planOf(options);
  return { ...record, size: [...record.size] };
}

/**
 * Encoded (or raw) image bytes → an image of exactly the target size, encoded as `format`. The pixels are
 * transformImage's for `{size, resize, kernel, normalize: null}` (the same code computes them), so training on
 * raw or PNG output without augmentation sees the bytes the online path would. Raises ImageError naming `where`.
 */
export async function preprocessImage(bytes: Uint8Array, options: PreprocessOptions, where: ErrorLocation = {}): Promise<Uint8Array> {
  const { spec, record } = planOf(options);
  const pixels = await transformToBytes(bytes, spec, { augment: false, where });
  if (record.format === "raw") return encodeRawImage(pixels, spec.width, spec.height);
  try {
    const image = sharp(pixels, { raw: { width: spec.width, height: spec.height, channels: 3 } });
    const out = await (record.format === "png" ? image.png() : image.jpeg({ quality: record.quality ?? 95 })).toBuffer();
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (cause) {
    throw imageFailure(bytes, where, cause);
  }
}
