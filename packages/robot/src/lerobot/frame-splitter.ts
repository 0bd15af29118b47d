/**
 * Cuts ffmpeg's image2pipe output (encoded images back to back, no framing) into whole images by walking each
 * format's own structure: PNG chunks up to IEND; JPEG marker segments, then the entropy-coded scan up to the next
 * real marker (0xFF followed by neither 0x00 stuffing nor a restart marker), up to EOI. Scanning for a bare
 * FFD9 would be wrong only in corner cases, but walking the structure is no slower and never wrong.
 */
export type FrameFormat = "jpeg" | "png";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export class FrameFormatError extends Error {}

/** Byte length of the JPEG at the start of `b`, or -1 when more bytes are needed. */
function jpegLength(b: Buffer): number {
  if (b.length < 2) return -1;
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new FrameFormatError("a frame does not start with a JPEG SOI marker");
  let p = 2;
  for (;;) {
    if (p + 2 > b.length) return -1;
    if (b[p] !== 0xff) throw new FrameFormatError(`expected a JPEG marker at byte ${p}`);
    const marker = b[p + 1] as number;
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (marker === 0xd9) return p + 2;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2;
      continue;
    }
    if (p + 4 > b.length) return -1;
    p += 2 + b.readUInt16BE(p + 2);
    if (marker !== 0xda) continue;
    for (;;) {
      const q = b.indexOf(0xff, p);
      if (q < 0 || q + 1 >= b.length) return -1;
      const next = b[q + 1] as number;
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) {
        p = q + 2;
        continue;
      }
      p = q;
      break;
    }
  }
}

/** Byte length of the PNG at the start of `b`, or -1 when more bytes are needed. */
function pngLength(b: Buffer): number {
  if (b.length < 8) return -1;
  if (!b.subarray(0, 8).equals(PNG_SIGNATURE)) throw new FrameFormatError("a frame does not start with the PNG signature");
  let p = 8;
  for (;;) {
    if (p + 8 > b.length) return -1;
    const end = p + 12 + b.readUInt32BE(p);
    if (end > b.length) return -1;
    if (b.toString("latin1", p + 4, p + 8) === "IEND") return end;
    p = end;
  }
}

export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private readonly lengthOf: (b: Buffer) => number;

  constructor(format: FrameFormat) {
    this.lengthOf = format === "jpeg" ? jpegLength : pngLength;
  }

  /** Adds bytes and returns the images they complete (each a copy that owns its memory). */
  push(chunk: Buffer): Uint8Array[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Uint8Array[] = [];
    for (;;) {
      const n = this.lengthOf(this.pending);
      if (n < 0) break;
      frames.push(new Uint8Array(this.pending.subarray(0, n)));
      this.pending = this.pending.subarray(n);
    }
    return frames;
  }

  /** Bytes left after the last whole image (non-zero means the stream ended inside an image). */
  get leftover(): number {
    return this.pending.length;
  }
}
