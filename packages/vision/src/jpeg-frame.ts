/**
 * The offset of a JPEG's frame header (its SOFn marker), or null when none is found: the markers before it are
 * stepped over by their lengths, and stray bytes between markers skipped, as decoders do.
 */
export function findJpegFrame(b: Uint8Array): number | null {
  for (let at = 2; at + 4 <= b.length; ) {
    if (b[at] !== 0xff) {
      at++; // decoders skip stray bytes between markers
      continue;
    }
    const marker = b[at + 1] as number;
    if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += marker === 0xff ? 1 : 2;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return at;
    at += 2 + (((b[at + 2] as number) << 8) | (b[at + 3] as number));
  }
  return null;
}

/** The frame size its SOF marker declares, or null without a complete one. */
export function jpegDimensions(b: Uint8Array): { width: number; height: number } | null {
  const at = findJpegFrame(b);
  if (at === null || at + 9 > b.length) return null;
  return { height: ((b[at + 5] as number) << 8) | (b[at + 6] as number), width: ((b[at + 7] as number) << 8) | (b[at + 8] as number) };
}
