import { ImageError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import { probeImage } from "@cotrain/vision";

/**
 * How much of every image the reader verifies:
 * - "header" (default): the bytes start and end like a whole JPEG, PNG or WebP file (signature and end marker);
 *   this catches garbage and truncated files at memcpy speed;
 * - "decode": a full decode with sharp (`probeImage`), which also catches corrupt scan data, at about a
 *   millisecond per 256×256 image;
 * - "off": no check (images pass through untouched either way).
 */
export type ImageCheck = "header" | "decode" | "off";

export function imageFormatOf(bytes: Uint8Array): "jpeg" | "png" | "webp" | null {
  const n = bytes.length;
  if (n >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff && bytes[n - 2] === 0xff && bytes[n - 1] === 0xd9) return "jpeg";
  if (n >= 20 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    // The last chunk of a whole PNG is IEND: length 0, "IEND", CRC.
    const end = Buffer.from(bytes.buffer, bytes.byteOffset + n - 8, 4).toString("latin1");
    return end === "IEND" ? "png" : null;
  }
  if (n >= 12 && Buffer.from(bytes.buffer, bytes.byteOffset, 4).toString("latin1") === "RIFF" && Buffer.from(bytes.buffer, bytes.byteOffset + 8, 4).toString("latin1") === "WEBP") {
    return bytes[4]! + (bytes[5]! << 8) + (bytes[6]! << 16) + bytes[7]! * 2 ** 24 + 8 === n ? "webp" : null;
  }
  return null;
}

export async function checkImage(bytes: Uint8Array, mode: ImageCheck, where: ErrorLocation): Promise<void> {
  if (mode === "off") return;
  if (bytes.length === 0) throw new ImageError("IMAGE_EMPTY", "image has zero bytes", where);
  if (mode === "decode") {
    await probeImage(bytes, where);
    return;
  }
  if (imageFormatOf(bytes) === null) {
    const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(8, bytes.length)).toString("hex");
    throw new ImageError("IMAGE_UNREADABLE", `not a whole JPEG, PNG or WebP image (${bytes.length} bytes, starting ${head})`, where);
  }
}
