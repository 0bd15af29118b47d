import { ImageError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import { probeImage } from "./decode.js";
import { isRawImage, isWholeRawImage, readRawImage } from "./raw-image.js";

/**
 * How much of every image a reader verifies (RLDS, LeRobot, LLaVA, Parquet VQA all take the same option):
 * - "header" (default): the bytes are a whole JPEG, PNG, WebP, GIF or raw image (signature and end marker or size). This catches empty,
 *   garbage and truncated images at memory speed, so it costs nothing beside the protobuf parse;
 * - "decode": a full decode with sharp (`probeImage` from @cotrain/vision), which also catches corrupt scan data
 *   and checks the size against the declared shape, at about 1 ms per 256×256 JPEG and 3 ms per 640×480 photo: it
 *   doubles the decode cost of an epoch (the collator decodes again), so it is opt-in (a pre-flight pass);
 * - "off": none.
 */
export type ImageValidation = "header" | "decode" | "off";

/** The `validateImages` option as readers take it: a mode, true (= "decode") or false (= "off"). */
export type ValidateImagesOption = boolean | ImageValidation;

export function imageValidation(option: ValidateImagesOption | undefined): ImageValidation {
  if (option === undefined) return "header";
  if (option === true) return "decode";
  if (option === false) return "off";
  if (option !== "header" && option !== "decode" && option !== "off") throw new RangeError(`validateImages must be a boolean, "header", "decode" or "off", got ${JSON.stringify(option)}`);
  return option;
}

/** The format of whole image bytes by signature and ending (or size), or null when they are not a whole image. */
export function imageKind(bytes: Uint8Array): "jpeg" | "png" | "webp" | "gif" | "raw" | null {
  const n = bytes.length;
  if (isRawImage(bytes)) return isWholeRawImage(bytes) ? "raw" : null; // preprocessed pixels (raw-image.ts)
  if (n >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    // Some encoders pad after EOI; accept the marker within the last few bytes.
    for (let i = n - 2; i >= Math.max(2, n - 16); i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return "jpeg";
    return null;
  }
  if (n >= 20 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    // A whole PNG ends with the IEND chunk: "IEND" followed by its 4-byte CRC.
    return bytes[n - 8] === 0x49 && bytes[n - 7] === 0x45 && bytes[n - 6] === 0x4e && bytes[n - 5] === 0x44 ? "png" : null;
  }
  if (n >= 16 && ascii(bytes, 0, "RIFF") && ascii(bytes, 8, "WEBP")) {
    // The RIFF size field counts the bytes after it: a cut-off file is shorter than it says.
    const size = (bytes[4] as number) | ((bytes[5] as number) << 8) | ((bytes[6] as number) << 16) | ((bytes[7] as number) << 24);
    return size >>> 0 <= n - 8 ? "webp" : null;
  }
  if (n >= 14 && ascii(bytes, 0, "GIF8")) return bytes[n - 1] === 0x3b ? "gif" : null; // the trailer byte
  return null;
}

function ascii(bytes: Uint8Array, at: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** The "header" check (synchronous, so thousands of images per episode cost no promise each). */
export function checkImageHeader(bytes: Uint8Array, where: ErrorLocation): void {
  if (bytes.length === 0) throw new ImageError("IMAGE_EMPTY", "image has zero bytes", where);
  if (imageKind(bytes) === null) {
    if (isRawImage(bytes)) readRawImage(bytes, where); // raises the raw header's own, more precise error
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(8, bytes.length)).toString("hex");
    throw new ImageError("IMAGE_UNREADABLE", `not a whole JPEG, PNG, WebP, GIF or raw image (${bytes.length} bytes, starting ${head})`, where);
  }
}

/** Raises ImageError (naming `where`) when `bytes` fail the chosen validation. */
export async function validateImage(bytes: Uint8Array, mode: ImageValidation, where: ErrorLocation, shape?: readonly number[]): Promise<void> {
  if (mode === "off") return;
  if (mode === "header") return checkImageHeader(bytes, where);
  if (bytes.length === 0) throw new ImageError("IMAGE_EMPTY", "image has zero bytes", where);
  const info = await probeImage(bytes, where);
  const [h, w] = shape ?? [];
  if ((h !== undefined && h > 0 && h !== info.height) || (w !== undefined && w > 0 && w !== info.width)) {
    throw new ImageError("IMAGE_SIZE", `image is ${info.width}×${info.height}, the data declares ${w}×${h}`, where);
  }
}
