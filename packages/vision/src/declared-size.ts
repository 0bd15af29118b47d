import { ImageError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import { findJpegFrame } from "./jpeg-frame.js";

/** The most deflate can expand its input (258-byte matches at two bits each). */
const INFLATE_RATIO = 1032;

/**
 * Refuses an image whose header declares more pixels than its bytes can possibly hold, before a decoder allocates
 * for them: a 400-byte PNG whose IHDR says 16383×16383 makes libvips allocate 650 MB before it finds the data
 * missing. The bounds are the formats' own ceilings, so no real image is refused:
 * - PNG: the IDAT chunks inflate at most 1032-fold, and the image needs height × (1 + row bytes) inflated bytes;
 * - JPEG with Huffman coding (SOF0–3, 5–7): every 8×8 block of the first component carries a DC code of at
 *   least one bit.
 * Other formats (WebP, GIF, arithmetic-coded JPEG) are left to sharp's pixel limit. Raises ImageError
 * IMAGE_SIZE_IMPOSSIBLE naming `where`.
 */
export function checkDeclaredSize(bytes: Uint8Array, where: ErrorLocation): void {
  const declared = isPng(bytes) ? pngNeeds(bytes) : isJpeg(bytes) ? jpegNeeds(bytes) : null;
  if (declared === null || declared.minBytes <= bytes.length) return;
  throw new ImageError("IMAGE_SIZE_IMPOSSIBLE", `the header declares ${declared.width}×${declared.height} pixels, which need at least ${Math.ceil(declared.minBytes)} bytes; the image has ${bytes.length}`, where);
}

interface Declared {
  width: number;
  height: number;
  /** The fewest bytes an image of that size can be encoded in. */
  minBytes: number;
}

const isPng = (b: Uint8Array): boolean => b.length >= 33 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0xff && b[1] === 0xd8;

function pngNeeds(b: Uint8Array): Declared | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = b[24] as number;
  const channels = [1, 0, 3, 1, 2, 0, 4][b[25] as number] ?? 0;
  if (channels === 0 || depth === 0) return null; // not a colour type or depth sharp decodes: its own error
  const inflated = height * (1 + Math.ceil((width * channels * depth) / 8));
  // What the image data needs besides its IDAT payloads: the signature and the chunk framing around them.
  return { width, height, minBytes: inflated / INFLATE_RATIO + 8 + 25 + 12 };
}

function jpegNeeds(b: Uint8Array): Declared | null {
  const at = findJpegFrame(b);
  if (at === null) return null;
  const marker = b[at + 1] as number;
  const huffman = (marker >= 0xc0 && marker <= 0xc3) || (marker >= 0xc5 && marker <= 0xc7);
  if (!huffman || at + 11 >= b.length) return null;
  const height = ((b[at + 5] as number) << 8) | (b[at + 6] as number);
  const width = ((b[at + 7] as number) << 8) | (b[at + 8] as number);
  const count = b[at + 9] as number;
  let hMax = 1;
  let vMax = 1;
  for (let c = 0; c < count && at + 12 + 3 * c < b.length; c++) {
    const sampling = b[at + 11 + 3 * c] as number;
    hMax = Math.max(hMax, sampling >> 4);
    vMax = Math.max(vMax, sampling & 15);
  }
  const first = b[at + 11] as number;
  const blocks = Math.ceil(Math.ceil((width * Math.max(1, first >> 4)) / hMax) / 8) * Math.ceil(Math.ceil((height * Math.max(1, first & 15)) / vMax) / 8);
  return { width, height, minBytes: blocks / 8 };
}
