import { makeData } from "apache-arrow";
import type { Data, Utf8 } from "apache-arrow";
import { CANONICAL_FIELDS } from "@cotrain/core";

const encoder = new TextEncoder();

/**
 * A non-null Utf8 column built string by string: the same column as core's `utf8Column` of the same strings (its
 * values a view of the builder's buffer, which has some room to spare, rather than a copy cut to size). Why not
 * `utf8Column`: a batch's string columns repeat a few strings many times (source, kind, role, camera names, an
 * episode's instruction), and this encodes each distinct string once per column and copies its bytes after that,
 * where `utf8Column` encodes every string and allocates three arrays per call.
 */
export class Utf8Builder {
  private bytes: Uint8Array;
  private readonly offsets: Int32Array;
  private count = 0;
  private at = 0;
  /** The byte range of each distinct string already written, to copy from. */
  private readonly seen = new Map<string, { start: number; end: number }>();
  private last: string | null = null;
  private lastRange: { start: number; end: number } | undefined;

  constructor(private readonly length: number) {
    this.offsets = new Int32Array(length + 1);
    this.bytes = new Uint8Array(32 * length + 64);
  }

  append(value: string): void {
    // Most often the string is the previous one again (one source, one instruction per episode).
    const range = value === this.last ? this.lastRange : this.seen.get(value);
    if (range !== undefined) {
      const size = range.end - range.start;
      this.reserve(size);
      this.bytes.copyWithin(this.at, range.start, range.end);
      this.at += size;
    } else {
      this.reserve(value.length * 3);
      const start = this.at;
      this.at += encoder.encodeInto(value, this.bytes.subarray(start)).written;
      this.seen.set(value, { start, end: this.at });
    }
    this.last = value;
    this.lastRange = range ?? this.seen.get(value);
    this.offsets[++this.count] = this.at;
  }

  /** The column; exactly `length` strings must have been appended. */
  finish(): Data<Utf8> {
    if (this.count !== this.length) throw new RangeError(`Utf8Builder expected ${this.length} strings, got ${this.count}`);
    return makeData({ type: CANONICAL_FIELDS[0].type, length: this.length, nullCount: 0, valueOffsets: this.offsets, data: this.bytes.subarray(0, this.at) });
  }

  private reserve(extra: number): void {
    if (this.at + extra <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.at + extra));
    grown.set(this.bytes.subarray(0, this.at));
    this.bytes = grown;
  }
}
