import { ImageError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import { probeImage } from "@cotrain/vision";

/**
 * How much of every image the RLDS reader verifies:
 * - "header" (default): the bytes are a whole JPEG or PNG (signature and end marker). This catches empty,
 *   garbage and truncated images at memory speed, so it costs nothing beside the protobuf parse;
 * - "decode": a full decode with sharp (`probeImage` from @cotrain/vision), which also catches corrupt scan data
 *   and checks the size against features.json, at about 1 ms per 256×256 JPEG: 4 cameras cap a core near 250
 *   steps/s, below the parse rate, so it is opt-in (a pre-flight `cotrain inspect` pass, say);
 * - "off": none.
 */
export type ImageValidation = "header" | "decode" | "off";

export function imageKind(bytes: Uint8Array): "jpeg" | "png" | null {
  const n = bytes.length;
  if (n >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    // Some encoders pad after EOI; accept the marker within the last few bytes.
    for (let i = n - 2; i >= Math.max(2, n - 16); i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return "jpeg";
    return null;
  }
  if (n >= 20 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    // A whole PNG ends with the IEND chunk: "IEND" followed by its 4-byte CRC.
    return bytes[n - 8] === 0x49 && bytes[n - 7] === 0x45 && bytes[n - 6] === 0x4e && bytes[n - 5] === 0x44 ? "png" : null;
  }
  return null;
}

/** The "header" check (synchronous, so thousands of images per episode cost no promise each). */
export function checkImageHeader(bytes: Uint8Array, where: ErrorLocation): void {
  if (bytes.length === 0) throw new ImageError("IMAGE_EMPTY", "image has zero bytes", where);
  if (imageKind(bytes) === null) {
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(8, bytes.length)).toString("hex");
    throw new ImageError("IMAGE_UNREADABLE", `not a whole JPEG or PNG image (${bytes.length} bytes, starting ${head})`, where);
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
    throw new ImageError("IMAGE_SIZE", `image is ${info.width}×${info.height}, features.json declares ${w}×${h}`, where);
  }
}
