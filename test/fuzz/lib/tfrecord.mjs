// An independent TFRecord framer for the fuzzer (not the reader's code): CRC32C from its definition (Castagnoli
// polynomial 0x82F63B78, reflected), the mask TFRecord applies, and record splitting/joining.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

export function crc32c(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function maskedCrc(bytes) {
  const c = crc32c(bytes);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** The records of a well-formed TFRecord file: header offset and payload of each. */
export function splitRecords(file) {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out = [];
  for (let at = 0; at < file.length; ) {
    const length = Number(view.getBigUint64(at, true));
    out.push({ offset: at, data: file.slice(at + 12, at + 12 + length) });
    at += 12 + length + 4;
  }
  return out;
}

/** One framed record: length, masked CRC of the length, data, masked CRC of the data. */
export function frame(data, length = data.length) {
  const out = new Uint8Array(12 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(length), true);
  view.setUint32(8, maskedCrc(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc(data), true);
  return out;
}

export function joinRecords(payloads) {
  const framed = payloads.map((p) => frame(p));
  const out = new Uint8Array(framed.reduce((s, f) => s + f.length, 0));
  let at = 0;
  for (const f of framed) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/** Rewrites the header at `offset` to announce `length` bytes, with a valid length CRC (the data is left as is). */
export function withLength(file, offset, length) {
  const out = Uint8Array.from(file);
  const view = new DataView(out.buffer);
  view.setBigUint64(offset, BigInt.asUintN(64, BigInt(length)), true);
  view.setUint32(offset + 8, maskedCrc(out.subarray(offset, offset + 8)), true);
  return out;
}
