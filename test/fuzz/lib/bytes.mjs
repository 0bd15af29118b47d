// Byte-level mutations of a file: the blind half of the fuzzer (the format-aware half lives with each target).
// A mutation is a small plain object, printed with a failing case so it can be read and replayed.
import fc from "fast-check";

/** Values that break length and count fields: zero, sign bits, 32-bit edges, past 2^53. */
export const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** An arbitrary mutation of a byte string of length `n` (n ≥ 1). */
export function byteMutation(n) {
  const at = fc.nat({ max: Math.max(0, n - 1) });
  const some = fc.uint8Array({ minLength: 1, maxLength: 16 });
  return fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant("flip"), flips: fc.array(fc.record({ at, bit: fc.nat({ max: 7 }) }), { minLength: 1, maxLength: 4 }) }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant("set"), at, value: fc.nat({ max: 255 }) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("truncate"), length: fc.nat({ max: Math.max(0, n - 1) }) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("insert"), at: fc.nat({ max: n }), bytes: some }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("delete"), at, count: fc.integer({ min: 1, max: 64 }) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("duplicate"), from: at, count: fc.integer({ min: 1, max: 256 }), to: fc.nat({ max: n }) }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("u32"), at, value: fc.constantFrom(...INTERESTING_U32), bigEndian: fc.boolean() }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("append"), bytes: some }), weight: 1 },
  );
}

/** Applies a byteMutation to `bytes`, returning new bytes (the input is not changed). */
export function applyByteMutation(bytes, m) {
  const n = bytes.length;
  switch (m.kind) {
    case "flip": {
      const out = Uint8Array.from(bytes);
      for (const { at, bit } of m.flips) if (at < n) out[at] ^= 1 << bit;
      return out;
    }
    case "set": {
      const out = Uint8Array.from(bytes);
      if (m.at < n) out[m.at] = m.value;
      return out;
    }
    case "truncate":
      return bytes.slice(0, m.length);
    case "insert":
      return concat(bytes.subarray(0, m.at), m.bytes, bytes.subarray(m.at));
    case "delete":
      return concat(bytes.subarray(0, m.at), bytes.subarray(Math.min(n, m.at + m.count)));
    case "duplicate": {
      const piece = bytes.slice(m.from, Math.min(n, m.from + m.count));
      return concat(bytes.subarray(0, m.to), piece, bytes.subarray(m.to));
    }
    case "u32": {
      const out = Uint8Array.from(bytes);
      const view = new DataView(out.buffer);
      if (m.at + 4 <= n) view.setUint32(m.at, m.value, !m.bigEndian);
      return out;
    }
    case "append":
      return concat(bytes, m.bytes);
    default:
      throw new Error(`unknown byte mutation ${JSON.stringify(m)}`);
  }
}

export function concat(...parts) {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function sameBytes(a, b) {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** A printable form of a mutation: byte arrays as hex. */
export function describeMutation(m) {
  return JSON.stringify(m, (_k, v) => (v instanceof Uint8Array ? `hex:${Buffer.from(v).toString("hex")}` : v));
}
