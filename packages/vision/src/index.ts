/**
 * @cotrain/vision: encoded image bytes → model-ready pixels, with sharp.
 *
 *   transformImage(bytes: Uint8Array, spec: TransformSpec, options?: {seed?, key?, where?, augment?})
 *     → Promise<{ uint8: Uint8Array (H×W×3 RGB, HWC), float32?: Float32Array (same layout, normalized;
 *                 absent when spec.normalize is null), width, height, channels: 3 }>
 *
 *   transformImages(images: (Uint8Array | {bytes, key?, where?} | null)[], spec: TransformSpec,
 *                   options?: {seed?, augment?, out?: Float32Array, inFlight?, onError?: "raise" | "skip"})
 *     → Promise<{ float32: Float32Array [B, H, W, 3], count, width, height, channels: 3, ok: Uint8Array [B],
 *                 errors: {index, error}[] }>   (image i is keyed by its `key`, default its index)
 *
 *   TransformSpec = { width, height (or size: n | [h, w]), resize?: "crop" (default) | "squash",
 *                     kernel?: "lanczos3" (default) | "linear" | ..., normalize?: "unit" (default) | "siglip" |
 *                     "imagenet" | "clip" | {mean, std} | null, augment?: "octo" | "openvla" | "color" |
 *                     AugmentSpec | null, centerScale?: number (default 1), shrinkOnLoad?: boolean (default
 *                     false: JPEGs decode at full size, the pixels of sharp().resize()) }
 *
 *   preprocessImage(bytes, {size, resize?, kernel?, format?: "jpeg" (default) | "png" | "raw", quality?})
 *     → Promise<Uint8Array>: the image at the target size, the same pixels transformImage computes without
 *       normalization; preprocessImages(source, options) applies it to the `images` column of every batch.
 *
 *   Raw images (encodeRawImage / readRawImage): a 16-byte header + H×W×3 RGB bytes, carried in the `images`
 *   column like JPEG; transformImage returns them without decoding when they already have the output size.
 *
 * Augmentation draws from `Rng.from(seed, ...key)`: the same seed and key give the same pixels in any process.
 * Undecodable, corrupt or truncated bytes raise ImageError carrying `where`.
 */
export { probeImage, decodeImage } from "./decode.js";
export type { ImageInfo, DecodedImage } from "./decode.js";
export { transformImage } from "./transform.js";
export type { TransformOptions, TransformedImage } from "./transform.js";
export { transformImages } from "./batch.js";
export type { BatchImage, BatchOptions, BatchResult } from "./batch.js";
export { resolveSpec } from "./spec.js";
export type { TransformSpec, ResolvedSpec, ResizeMode, Kernel } from "./spec.js";
export { NORMALIZE_PRESETS, resolveNormalize, normalizeInto } from "./normalize.js";
export type { NormalizePreset, NormalizeSpec, ResolvedNormalize, Triple } from "./normalize.js";
export { AUGMENT_PRESETS, resolveAugment, drawAugment } from "./augment.js";
export type { AugmentPreset, AugmentSpec, ResolvedAugment, AugmentDraw, Range } from "./augment.js";
export { applyColorJitter } from "./color-jitter.js";
export type { ColorJitter } from "./color-jitter.js";
export { planResize, centerWindow } from "./geometry.js";
export type { ResizePlan, Window } from "./geometry.js";
export { configureDecoding, defaultDecodePlan, decodePlan } from "./pool.js";
export type { DecodePlan } from "./pool.js";
export { encodeRawImage, isRawImage, readRawImage, RAW_IMAGE_MAGIC, RAW_HEADER_BYTES } from "./raw-image.js";
export type { RawImage } from "./raw-image.js";
export { preprocessImage, resolvePreprocess } from "./preprocess.js";
export type { PreprocessOptions, PreprocessFormat, ImagePreprocessing } from "./preprocess.js";
export { preprocessImages } from "./preprocess-source.js";
export type { PreprocessImagesOptions } from "./preprocess-source.js";
export { chooseDecoder, imageDecoder } from "./decoder-choice.js";
export type { DecoderChoice, DecoderProbe } from "./decoder-choice.js";
export { loadShrink, mappedLibvips } from "./libvips-direct.js";
export { jpegDimensions } from "./jpeg-frame.js";
export type { DirectPlan, LibvipsDirect } from "./libvips-direct.js";
export { checkImageHeader, imageKind, imageValidation, validateImage } from "./validate.js";
export type { ImageValidation, ValidateImagesOption } from "./validate.js";
