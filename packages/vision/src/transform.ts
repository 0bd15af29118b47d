import sharp from "sharp";
import type { Sharp } from "sharp";
import { ConfigError, ImageError, Rng } from "@cotrain/core";
import type { ErrorLocation, SeedLike } from "@cotrain/core";
import { drawAugment } from "./augment.js";
import { applyColorJitter, isIdentityJitter } from "./color-jitter.js";
import { FULL_WINDOW, centerWindow, planResize } from "./geometry.js";
import { normalizeInto } from "./normalize.js";
import { resolveSpec } from "./spec.js";
import type { ResolvedSpec, TransformSpec } from "./spec.js";
import { failOnFor, imageFailure } from "./decode.js";
import { checkDeclaredSize } from "./declared-size.js";
import { isRawImage, readRawImage } from "./raw-image.js";
import { imageDecoder } from "./decoder-choice.js";

export interface TransformOptions {
  /** Augmentation seed (required when the spec augments). The draw is `Rng.from(seed, ...key)`. */
  seed?: SeedLike;
  /** The sample's key (e.g. sample_id, or [epoch, source, sample_id, camera]), so each sample draws its own crop. */
  key?: SeedLike | readonly SeedLike[];
  /** Where the image came from, copied into any ImageError. */
  where?: ErrorLocation;
  /** false: the evaluation path (no augmentation) even when the spec has `augment`. Default true. */
  augment?: boolean;
}

export interface TransformedImage {
  /**
   * Row-major HWC RGB bytes, width × height × 3. For a raw input image of the output size (and no crop) this is a
   * view into the input bytes, not a copy.
   */
  uint8: Uint8Array;
  /** The same pixels normalized per channel (absent when the spec's `normalize` is null). */
  float32?: Float32Array;
  width: number;
  height: number;
  channels: 3;
}

/** Encoded JPEG/PNG/WebP (or raw, see raw-image.ts) bytes → a model-ready image. Raises ImageError (naming `where`) for undecodable input. */
export async function transformImage(bytes: Uint8Array, spec: TransformSpec, options: TransformOptions = {}): Promise<TransformedImage> {
  const resolved = resolveSpec(spec);
  const uint8 = await transformToBytes(bytes, resolved, options);
  const out: TransformedImage = { uint8, width: resolved.width, height: resolved.height, channels: 3 };
  if (resolved.normalize !== null) {
    out.float32 = new Float32Array(uint8.length);
    normalizeInto(uint8, resolved.normalize.lut, out.float32);
  }
  return out;
}

/**
 * The Uint8 HWC output of one image (shared by the single and the batch form, and by preprocessImage, so that
 * preprocessed shards hold exactly the pixels the online path computes). Raw input of the output size is
 * returned as a view of its pixels without touching sharp (copied only when colour jitter changes it).
 */
export async function transformToBytes(bytes: Uint8Array, spec: ResolvedSpec, options: TransformOptions): Promise<Uint8Array> {
  const where = options.where ?? {};
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`image bytes must be a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  if (bytes.length === 0) throw new ImageError("IMAGE_EMPTY", "image has zero bytes", where);
  const aug = options.augment === false ? null : spec.augment;
  let draw = null;
  if (aug !== null) {
    if (options.seed === undefined) throw new ConfigError("VISION_SEED", "the spec augments, so transformImage needs `options.seed` (or pass `augment: false`)", where);
    const key = options.key === undefined ? [] : Array.isArray(options.key) ? (options.key as readonly SeedLike[]) : [options.key as SeedLike];
    draw = drawAugment(aug, Rng.from(options.seed, ...key));
  }
  const window = draw?.crop ?? (spec.centerScale < 1 ? centerWindow(spec.centerScale) : FULL_WINDOW);
  const { width, height } = spec;
  const raw = isRawImage(bytes) ? readRawImage(bytes, where) : null;
  if (raw !== null && window === FULL_WINDOW && raw.width === width && raw.height === height) {
    // Preprocessed pixels of the output size (`cotrain convert --image-format raw`): no decode, no resize, no copy.
    if (draw === null || isIdentityJitter(draw)) return raw.pixels;
    const pixels = raw.pixels.slice(); // the jitter works in place; the input belongs to the caller's batch
    applyColorJitter(pixels, draw);
    return pixels;
  }
  if (spec.shrinkOnLoad && raw === null && window === FULL_WINDOW && isJpeg(bytes)) {
    const direct = await directResize(bytes, spec, where);
    if (direct !== null) {
      if (draw !== null) applyColorJitter(direct, draw);
      return direct;
    }
  }
  let data: Buffer;
  try {
    let image: Sharp;
    let meta: { width?: number; height?: number; hasAlpha?: boolean } | null;
    if (raw !== null) {
      // Other sizes and crop windows resample raw pixels through the same resize as encoded images.
      image = sharp(raw.pixels, { raw: { width: raw.width, height: raw.height, channels: 3 } });
      meta = { width: raw.width, height: raw.height, hasAlpha: false };
    } else {
      checkDeclaredSize(bytes, where);
      image = sharp(bytes, { failOn: failOnFor(bytes) });
      // A JPEG has no alpha and, on the default path, needs no header read: skip that round trip to the pool.
      const needHeader = window !== FULL_WINDOW || !isJpeg(bytes);
      meta = needHeader ? await image.metadata() : null;
      if (meta?.hasAlpha === true) image = await withoutAlpha(image);
    }
    if (window === FULL_WINDOW) {
      // sharp's own cover/fill: the same pixels as `sharp().resize(w, h, {fit})`, shrink-on-load where it applies.
      image.resize(width, height, { fit: spec.resize === "crop" ? "cover" : "fill", kernel: spec.kernel });
    } else {
      if (meta?.width === undefined || meta.height === undefined) throw new Error("no image dimensions in the header");
      const plan = planResize(meta.width, meta.height, width, height, spec.resize, window);
      image.resize(plan.resizeWidth, plan.resizeHeight, { fit: "fill", kernel: spec.kernel }).extract({ left: plan.left, top: plan.top, width, height });
    }
    const { data: out, info } = await image.removeAlpha().toColourspace("srgb").raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    if (info.width !== width || info.height !== height || info.channels !== 3) throw new Error(`sharp returned ${info.width}×${info.height}×${info.channels}, expected ${width}×${height}×3`);
    data = out;
  } catch (cause) {
    throw imageFailure(bytes, where, cause);
  }
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (draw !== null) applyColorJitter(pixels, draw);
  return pixels;
}

/**
 * `shrinkOnLoad` through the direct libvips path (decoder-choice.ts), or null where sharp must run. Only this option
 * takes that path: for the pixels sharp itself computes, the two cost the same CPU once libvips's operation cache
 * is off (pool.ts), within 3% in a worker thread and 0.8 ms per image worse on the main thread (scratch A/B runs),
 * so sharp, portable and long tested, keeps the default.
 */
async function directResize(bytes: Uint8Array, spec: ResolvedSpec, where: ErrorLocation): Promise<Uint8Array | null> {
  const { direct, reason } = imageDecoder();
  if (direct === null) throw new ConfigError("VISION_SHRINK_ON_LOAD", `\`shrinkOnLoad\` needs the direct libvips decoder, and ${reason}`, { ...where, field: "shrinkOnLoad" });
  checkDeclaredSize(bytes, where);
  const plan = { width: spec.width, height: spec.height, fit: spec.resize === "crop" ? "cover" : "fill", kernel: spec.kernel, shrinkOnLoad: spec.shrinkOnLoad, failOn: failOnFor(bytes) } as const;
  return direct.resizeJpeg(bytes, plan);
}

function isJpeg(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/**
 * Decodes an image with alpha to raw RGB first. sharp would otherwise resize with premultiplied alpha, turning
 * fully transparent areas black and shifting semi-transparent colours; dropping alpha first gives the stored
 * colours, as PIL's `convert("RGB")` in LLaVA's and Hugging Face's loaders does.
 */
async function withoutAlpha(image: Sharp): Promise<Sharp> {
  const { data, info } = await image.removeAlpha().toColourspace("srgb").raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
}
