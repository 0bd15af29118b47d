// tf.train.Example for the fuzzer's oracle: an independent decode (protobufjs' generic decoder over the published
// schema, not the reader's hand-written feature walk), re-encoding after a structural change, and a wire-level
// walk that finds every length prefix (to inflate one).
import protobuf from "protobufjs";

const root = protobuf.Root.fromJSON({
  nested: {
    BytesList: { fields: { value: { rule: "repeated", type: "bytes", id: 1 } } },
    FloatList: { fields: { value: { rule: "repeated", type: "float", id: 1, options: { packed: true } } } },
    Int64List: { fields: { value: { rule: "repeated", type: "int64", id: 1, options: { packed: true } } } },
    Feature: {
      oneofs: { kind: { oneof: ["bytesList", "floatList", "int64List"] } },
      fields: { bytesList: { type: "BytesList", id: 1 }, floatList: { type: "FloatList", id: 2 }, int64List: { type: "Int64List", id: 3 } },
    },
    Features: { fields: { feature: { keyType: "string", type: "Feature", id: 1 } } },
    Example: { fields: { features: { type: "Features", id: 1 } } },
  },
});
const Example = root.lookupType("Example");

/** key → {kind, values} (bytes as Uint8Array, numbers as JS numbers), or throws when protobufjs rejects the bytes. */
export function decodeExample(bytes) {
  const msg = Example.decode(bytes);
  const out = new Map();
  for (const [key, f] of Object.entries(msg.features?.feature ?? {})) {
    if (f.bytesList) out.set(key, { kind: "bytes", values: f.bytesList.value.map((b) => new Uint8Array(b)) });
    else if (f.floatList) out.set(key, { kind: "float", values: [...f.floatList.value] });
    else if (f.int64List) out.set(key, { kind: "int64", values: f.int64List.value.map((v) => (typeof v === "number" ? v : v.toNumber())) });
    else out.set(key, { kind: "none", values: [] });
  }
  return out;
}

export function encodeExample(features) {
  const feature = {};
  for (const [key, f] of features) {
    if (f.kind === "bytes") feature[key] = { bytesList: { value: f.values } };
    else if (f.kind === "float") feature[key] = { floatList: { value: f.values } };
    else if (f.kind === "int64") feature[key] = { int64List: { value: f.values } };
    else feature[key] = {};
  }
  return Example.encode({ features: { feature } }).finish();
}

/**
 * The length-delimited fields of a message, recursively (as deep as the bytes parse as messages): for each, where
 * its length varint starts and ends. Walks the wire format by hand; anything unparsable stops that branch.
 */
export function lengthPrefixes(bytes, from = 0, to = bytes.length, depth = 0, out = []) {
  let at = from;
  try {
    while (at < to) {
      const [tag, afterTag] = varint(bytes, at);
      const wire = tag & 7;
      if (wire === 0) at = varint(bytes, afterTag)[1];
      else if (wire === 1) at = afterTag + 8;
      else if (wire === 5) at = afterTag + 4;
      else if (wire === 2) {
        const [length, afterLength] = varint(bytes, afterTag);
        const end = afterLength + length;
        if (end > to) return out;
        out.push({ start: afterTag, end: afterLength, depth });
        if (depth < 5) lengthPrefixes(bytes, afterLength, end, depth + 1, out);
        at = end;
      } else return out;
    }
  } catch {
    // a branch that is not a message (image bytes, strings): nothing more to find in it
  }
  return out;
}

function varint(bytes, at) {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (at + i >= bytes.length) throw new RangeError("varint runs off the end");
    const b = bytes[at + i];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) return [value, at + i + 1];
  }
  throw new RangeError("varint longer than 10 bytes");
}

export function encodeVarint(value) {
  const out = [];
  let v = BigInt.asUintN(64, BigInt(value));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Uint8Array.from(out);
}
