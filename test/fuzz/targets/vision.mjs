// Images through @cotrain/vision: mutations of JPEG, PNG and raw image bytes (blind byte changes, and width/height
// fields set to huge values with the PNG chunk CRC kept valid), decoded by decodeImage and resized by
// transformImage as the collator does. Oracle: a raw image is checked independently (its 16-byte header against
// its length): a consistent one must decode to exactly its pixel bytes, any other must raise. A PNG protects every
// chunk with a CRC and its pixels with zlib's Adler-32: a changed PNG must raise, or decode to the original pixels
// (decoders stop at the image data: IEND and bytes after it are not read), or, when every chunk's CRC is right
// (a new width and height with a recomputed CRC), decode to the size its IHDR declares. JPEG has no checksum: a changed JPEG may decode to other
// pixels, which must then have the size its SOF header declares (parsed here), decode the same way twice, and
// resize to the requested size.
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import fc from "fast-check";
import { decodeImage, encodeRawImage, transformImage } from "@cotrain/vision";
import { applyByteMutation, byteMutation } from "../lib/bytes.mjs";
import { image } from "../lib/fixtures.mjs";

const WHERE = { file: "fuzz-image", row: 0, field: "image" };
const HUGE = [0, 1, 65_535, 65_536, 16_383, 100_000, 2 ** 31 - 1, 2 ** 32 - 1];
const digest = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);

export default {
  name: "vision",
  reads: "JPEG, PNG and raw image bytes through decodeImage and transformImage",
  async setup() {
    const raw = encodeRawImage(Uint8Array.from({ length: 6 * 5 * 3 }, (_, i) => (i * 7) & 0xff), 6, 5);
    return { images: { jpeg: await image(7, "jpeg", 16), png: await image(8, "png", 16), raw } };
  },
  arbitrary(ctx) {
    const kind = fc.constantFrom("jpeg", "png", "raw");
    return fc.oneof(
      { arbitrary: kind.chain((k) => byteMutation(ctx.images[k].length).map((m) => ({ op: "bytes", kind: k, m }))), weight: 8 },
      { arbitrary: fc.record({ op: fc.constant("size"), kind, width: fc.constantFrom(...HUGE), height: fc.constantFrom(...HUGE) }), weight: 2 },
    );
  },
  mutate(ctx, d) {
    return { image: d.op === "bytes" ? applyByteMutation(ctx.images[d.kind], d.m) : withSize(ctx.images[d.kind], d.kind, d.width, d.height) };
  },
  // The bytes are handed to the decoder directly (no file): `files` carries them to read().
  async read(ctx, d, files) {
    const bytes = files?.image ?? ctx.images[d?.kind ?? "jpeg"];
    const decoded = await decodeImage(bytes, WHERE);
    const small = await transformImage(bytes, { size: 4, normalize: null }, { where: WHERE });
    return { width: decoded.width, height: decoded.height, pixels: digest(decoded.data), resized: [small.width, small.height, small.uint8.length] };
  },
  variantKey: (d) => d.kind,
  judgeSame: true,
  expectError(_ctx, d, files) {
    if (d.kind === "raw") return rawPixels(files.image) === null;
    return false;
  },
  async judge(_ctx, d, files, output, baseline) {
    const bytes = files.image;
    if (d.kind === "raw") {
      const pixels = rawPixels(bytes);
      return output.pixels === digest(pixels.data) && output.width === pixels.width && output.height === pixels.height ? null : "raw pixels differ from the header's reading";
    }
    if (output.resized[0] !== 4 || output.resized[1] !== 4 || output.resized[2] !== 48) return `resized to ${output.resized}, not 4×4×3`;
    if (d.kind === "png") {
      if (output.pixels === baseline.pixels) return null;
      if (!pngChunksIntact(bytes)) return "a PNG whose chunk CRCs do not match decoded to other pixels";
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      return output.width === view.getUint32(16) && output.height === view.getUint32(20) ? null : "a PNG decoded to another size than its IHDR declares";
    }
    const size = jpegSize(bytes);
    if (!size || size.width !== output.width || size.height !== output.height) return `decoded ${output.width}×${output.height}, the SOF header says ${size ? `${size.width}×${size.height}` : "nothing"}`;
    const again = await decodeImage(bytes, WHERE);
    return digest(again.data) === output.pixels ? null : "decoding the same bytes twice gave different pixels";
  },
  inMemory: true,
  originals: (ctx, d) => ({ image: ctx.images[d.kind] }),
};

/** A raw image's pixels and size by its documented header (magic 0x89 "CTR", u32 width, u32 height, 3, 0, 0, 0). */
function rawPixels(bytes) {
  if (bytes.length < 16 || bytes[0] !== 0x89 || bytes[1] !== 0x43 || bytes[2] !== 0x54 || bytes[3] !== 0x52) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const width = view.getUint32(4, true);
  const height = view.getUint32(8, true);
  if (bytes[12] !== 3 || bytes[13] || bytes[14] || bytes[15] || width === 0 || height === 0 || bytes.length !== 16 + width * height * 3) return null;
  return { width, height, data: bytes.subarray(16) };
}

/** Whether every chunk of a PNG is whole and its CRC right, from the signature to IEND (nothing after). */
function pngChunksIntact(bytes) {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 8 || sig.some((b, i) => bytes[i] !== b)) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let at = 8; at + 12 <= bytes.length; ) {
    const length = view.getUint32(at);
    if (at + 12 + length > bytes.length) return false;
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) >>> 0 !== view.getUint32(at + 8 + length)) return false;
    const type = Buffer.from(bytes.subarray(at + 4, at + 8)).toString("latin1");
    at += 12 + length;
    if (type === "IEND") return at === bytes.length;
  }
  return false;
}

/** Width and height from a JPEG's first SOF marker, or null. */
function jpegSize(bytes) {
  for (let at = 2; at + 9 < bytes.length; ) {
    if (bytes[at] !== 0xff) {
      at++; // libjpeg skips stray bytes between markers (with a warning)
      continue;
    }
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: (bytes[at + 5] << 8) | bytes[at + 6], width: (bytes[at + 7] << 8) | bytes[at + 8] };
    at += 2 + length;
  }
  return null;
}

/** The image with its declared width and height replaced (PNG: IHDR with its CRC recomputed; JPEG: the SOF). */
function withSize(bytes, kind, width, height) {
  const out = Uint8Array.from(bytes);
  const view = new DataView(out.buffer);
  if (kind === "raw") {
    view.setUint32(4, width >>> 0, true);
    view.setUint32(8, height >>> 0, true);
  } else if (kind === "png") {
    view.setUint32(16, width >>> 0);
    view.setUint32(20, height >>> 0);
    view.setUint32(29, crc32(out.subarray(12, 29)) >>> 0);
  } else {
    for (let at = 2; at + 9 < out.length; ) {
      const marker = out[at + 1];
      const length = (out[at + 2] << 8) | out[at + 3];
      if (marker >= 0xc0 && marker <= 0xc2) {
        view.setUint16(at + 5, height & 0xffff);
        view.setUint16(at + 7, width & 0xffff);
        break;
      }
      at += 2 + length;
    }
  }
  return out;
}
