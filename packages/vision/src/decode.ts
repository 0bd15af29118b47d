import sharp from "sharp";
import { ImageError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import { checkDeclaredSize } from "./declared-size.js";
import { isRawImage, readRawImage } from "./raw-image.js";

/**
 * sharp's strictness: abort on truncated or erroneous pixel data, accept what libjpeg only warns about (a few
 * stray bytes after a scan), as PIL does; real datasets such as COCO hold such files and they decode fine.
 */
export const FAIL_ON = "truncated" as const;

/**
 * The strictness for these bytes: FAIL_ON, and for PNG "error", since libpng reports a critical chunk whose CRC is
 * wrong (an IHDR saying 16×5 where the file was written 16×16) only as a warning, and decodes the wrong image.
 * Ancillary chunks with bad CRCs stay warnings (accepted), as in other readers.
 */
export function failOnFor(bytes: Uint8Array): "truncated" | "error" {
  return bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47 ? "error" : FAIL_ON;
}

/** The ImageError for bytes sharp could not decode, naming `where` and keeping sharp's message. */
export function imageFailure(bytes: Uint8Array, where: ErrorLocation, cause: unknown): ImageError {
  if (cause instanceof ImageError) return cause;
  return new ImageError("IMAGE_UNDECODABLE", `cannot decode image (${bytes.length} bytes): ${(cause as Error).message}`, { ...where, cause });
}

export interface ImageInfo {
  width: number;
  height: number;
  format: string;
  channels: number;
}

export interface DecodedImage {
  /** Uint8 pixels, row-major HWC. */
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/**
 * Reads an encoded image's header and fully decodes it once, so a truncated or corrupt file is caught here
 * (sharp's metadata alone accepts a JPEG whose scan data is cut off). Raises ImageError naming `where`.
 * Raw images (raw-image.ts) are checked by their header and length alone (format "raw"), without sharp.
 */
export async function probeImage(bytes: Uint8Array, where: ErrorLocation = {}): Promise<ImageInfo> {
  if (isRawImage(bytes)) {
    const raw = readRawImage(bytes, where);
    return { width: raw.width, height: raw.height, channels: raw.channels, format: "raw" };
  }
  const decoded = await decodeImage(bytes, where);
  const meta = await sharp(bytes).metadata();
  return { width: decoded.width, height: decoded.height, channels: decoded.channels, format: meta.format ?? "unknown" };
}

/**
 * Decodes JPEG/PNG/WebP bytes to 3-channel Uint8 HWC pixels (alpha dropped, grey expanded). Raw image bytes need
 * no decoding: their `data` is a view into `bytes` (copy it before changing it).
 */
export async function decodeImage(bytes: Uint8Array, where: ErrorLocation = {}): Promise<DecodedImage> {
  if (bytes.length === 0) throw new ImageError("IMAGE_EMPTY", "image has zero bytes", where);
  if (isRawImage(bytes)) {
    const raw = readRawImage(bytes, where);
    return { data: raw.pixels, width: raw.width, height: raw.height, channels: raw.channels };
  }
  checkDeclaredSize(bytes, where);
  try {
    const { data, info } = await sharp(bytes, { failOn: failOnFor(bytes) }).removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
  } catch (cause) {
    throw imageFailure(bytes, where, cause);
  }
}
