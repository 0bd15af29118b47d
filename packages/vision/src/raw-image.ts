import { ImageError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";

/**
 * Raw pixels that travel in the `images` column (List<Binary>) like any JPEG: a 16-byte header, then
 * width × height × 3 bytes of Uint8 RGB, row-major HWC. The header makes the bytes self-describing, so a shard of
 * preprocessed images needs no side table, and the collator copies the pixels instead of decoding them.
 *
 *   bytes 0..3   magic 0x89 "CTR" (0x89 keeps it out of text; PNG's 0x89 is followed by "PNG", so no image
 *                format shares it)
 *   bytes 4..7   width, u32 little-endian
 *   bytes 8..11  height, u32 little-endian
 *   byte  12     channels, always 3
 *   bytes 13..15 zero (reserved)
 */
export const RAW_IMAGE_MAGIC: readonly [number, number, number, number] = [0x89, 0x43, 0x54, 0x52];
export const RAW_HEADER_BYTES = 16;

export interface RawImage {
  /** A view of the pixels inside the encoded bytes (not a copy). */
  pixels: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

/** Wraps width × height × 3 RGB bytes (row-major HWC) in the raw header: one copy into a new array. */
export function encodeRawImage(pixels: Uint8Array, width: number, height: number): Uint8Array {
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 0xffff_ffff) throw new RangeError(`encodeRawImage: \`${name}\` must be a positive 32-bit integer, got ${JSON.stringify(v)}`);
  }
  const size = width * height * 3;
  if (!(pixels instanceof Uint8Array) || pixels.length !== size) {
    throw new RangeError(`encodeRawImage: expected ${width}×${height}×3 = ${size} bytes of pixels, got ${pixels instanceof Uint8Array ? pixels.length : Object.prototype.toString.call(pixels)}`);
  }
  const out = new Uint8Array(RAW_HEADER_BYTES + size);
  out.set(RAW_IMAGE_MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, width, true);
  view.setUint32(8, height, true);
  out[12] = 3;
  out.set(pixels, RAW_HEADER_BYTES);
  return out;
}

/** True when the bytes start with the raw magic (whether the rest is consistent is readRawImage's check). */
export function isRawImage(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x43 && bytes[2] === 0x54 && bytes[3] === 0x52;
}

/**
 * The pixels and size of raw image bytes, checking the header against the length. Raises ImageError naming
 * `where`: IMAGE_RAW_MAGIC (not raw bytes), IMAGE_RAW_HEADER (shorter than the header, or reserved bytes set),
 * IMAGE_RAW_CHANNELS (channels ≠ 3), IMAGE_RAW_DIMENSIONS (a zero side), IMAGE_RAW_TRUNCATED (fewer pixel bytes
 * than the header says) or IMAGE_RAW_LENGTH (more).
 */
export function readRawImage(bytes: Uint8Array, where: ErrorLocation = {}): RawImage {
  if (!isRawImage(bytes)) throw new ImageError("IMAGE_RAW_MAGIC", `not a raw image (${bytes.length} bytes, no 0x89 "CTR" magic)`, where);
  if (bytes.length < RAW_HEADER_BYTES) throw new ImageError("IMAGE_RAW_HEADER", `raw image header cut off: ${bytes.length} of ${RAW_HEADER_BYTES} bytes`, where);
  const view = new DataView(bytes.buffer, bytes.byteOffset, RAW_HEADER_BYTES);
  const width = view.getUint32(4, true);
  const height = view.getUint32(8, true);
  const channels = bytes[12] as number;
  if (channels !== 3) throw new ImageError("IMAGE_RAW_CHANNELS", `raw image has ${channels} channels, only 3 (RGB) are supported`, where);
  if (bytes[13] !== 0 || bytes[14] !== 0 || bytes[15] !== 0) throw new ImageError("IMAGE_RAW_HEADER", "raw image header has non-zero reserved bytes 13..15", where);
  if (width === 0 || height === 0) throw new ImageError("IMAGE_RAW_DIMENSIONS", `raw image is ${width}×${height}: both sides must be positive`, where);
  const expected = RAW_HEADER_BYTES + width * height * 3;
  if (bytes.length < expected) throw new ImageError("IMAGE_RAW_TRUNCATED", `raw ${width}×${height} image needs ${expected} bytes, got ${bytes.length}`, where);
  if (bytes.length > expected) throw new ImageError("IMAGE_RAW_LENGTH", `raw ${width}×${height} image needs ${expected} bytes, got ${bytes.length} (${bytes.length - expected} extra)`, where);
  return { pixels: bytes.subarray(RAW_HEADER_BYTES), width, height, channels: 3 };
}

/** readRawImage's consistency check without the error: true for whole raw image bytes. */
export function isWholeRawImage(bytes: Uint8Array): boolean {
  if (!isRawImage(bytes) || bytes.length < RAW_HEADER_BYTES || bytes[12] !== 3 || bytes[13] !== 0 || bytes[14] !== 0 || bytes[15] !== 0) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, RAW_HEADER_BYTES);
  const width = view.getUint32(4, true);
  const height = view.getUint32(8, true);
  return width > 0 && height > 0 && bytes.length === RAW_HEADER_BYTES + width * height * 3;
}
