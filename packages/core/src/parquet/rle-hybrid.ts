/**
 * What one run-length / bit-packed hybrid stream (Parquet's RLE encoding: levels, dictionary indices, RLE booleans)
 * holds, learnt by walking its runs without building its values.
 */
export interface HybridStream {
  /** Byte offset just past the last run read. */
  end: number;
  /** How many of the first `count` values equal `match`. */
  matches: number;
  /** The largest of the first `count` values (-1 when there are none). */
  max: number;
  /** The first value (-1 when there are none). */
  first: number;
}

/**
 * Walks the runs of a hybrid stream in `bytes[offset, end)` holding `count` values of `bitWidth` bits. A string
 * says what is wrong: a run past `end`, a run header too large, a run-length run longer than the values left (a
 * decoder that trusts it writes past its output), or a bit-packed run of zero groups, which the spec gives no bytes
 * and hyparquet reads as one: both would decode something other than what the file holds. The last bit-packed run
 * may hold more values than are left (padding). The walk stops after `count` values, as hyparquet does.
 */
export function walkHybrid(bytes: Uint8Array, offset: number, end: number, bitWidth: number, count: number, match: number): HybridStream | string {
  if (!Number.isInteger(bitWidth) || bitWidth < 0 || bitWidth > 32) return `its bit width ${bitWidth} is not 0–32`;
  const valueBytes = (bitWidth + 7) >> 3;
  let seen = 0;
  let matches = 0;
  let max = -1;
  let first = -1;
  let at = offset;
  const note = (value: number, times: number): void => {
    if (first < 0) first = value;
    if (value === match) matches += times;
    if (value > max) max = value;
  };
  while (seen < count) {
    if (at >= end) return `its runs end after ${seen} of its ${count} values`;
    let header = 0;
    let shift = 0;
    for (;;) {
      if (at >= end) return `a run header runs past the end of the stream (byte ${end})`;
      const byte = bytes[at++] as number;
      header += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) return "a run header is longer than 5 bytes";
    }
    if (header >= 2 ** 31) return `a run header (${header}) is larger than a 32-bit signed integer`;
    if (header & 1) {
      const groups = header >>> 1;
      if (groups === 0) return "a bit-packed run holds no values";
      // Width 0 (a one-entry dictionary): every value is 0, and hyparquet consumes one byte where the spec has none;
      // walking as it does keeps its later run headers where this walk checked them.
      const length = bitWidth === 0 ? Math.min(1, end - at) : groups * bitWidth;
      if (at + length > end) return `a bit-packed run of ${groups * 8} values needs ${length} bytes, but the stream has ${end - at} left`;
      const values = groups * 8;
      // A bit-packed run may hold more values than are left (DuckDB pads its last run to a whole run of 256 values):
      // hyparquet keeps only those it needs.
      const used = Math.min(values, count - seen);
      for (let i = 0; i < used; i++) note(unpack(bytes, at, i * bitWidth, bitWidth), 1);
      seen += used;
      at += length;
    } else {
      const runLength = header >>> 1;
      if (at + valueBytes > end) return `a run-length run's value runs past the end of the stream (byte ${end})`;
      if (runLength > count - seen) return `a run-length run of ${runLength} values runs past the ${count - seen} values left`;
      let value = 0;
      for (let i = 0; i < valueBytes; i++) value += (bytes[at + i] as number) * 2 ** (8 * i);
      at += valueBytes;
      if (runLength > 0) note(value, runLength);
      seen += runLength;
    }
  }
  return { end: at, matches, max, first };
}

/** The `width`-bit value at bit `bit` of the little-endian bit stream starting at byte `start`. */
function unpack(bytes: Uint8Array, start: number, bit: number, width: number): number {
  let value = 0;
  for (let done = 0; done < width; ) {
    const at = start + ((bit + done) >> 3);
    const shift = (bit + done) & 7;
    const take = Math.min(8 - shift, width - done);
    value += (((bytes[at] as number) >> shift) & ((1 << take) - 1)) * 2 ** done;
    done += take;
  }
  return value;
}
