import protobuf from "protobufjs";
import { FormatError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";

/**
 * tf.train.Example (tensorflow/core/example/{example,feature}.proto), declared through protobufjs reflection so no
 * code generation step is needed. Field numbers and packing are the published ones; `float` is 32-bit, so
 * float64 tensors lose precision on disk exactly as they do in TensorFlow's own writer.
 */
const EXAMPLE_PROTO = {
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
};
const root = protobuf.Root.fromJSON(EXAMPLE_PROTO as protobuf.INamespace);
const ExampleType = root.lookupType("Example");

/** One Feature of an Example: a list of byte strings, 32-bit floats or 64-bit integers (as JS numbers). */
export type FeatureValue =
  | { kind: "bytes"; values: Uint8Array[] }
  | { kind: "float"; values: ArrayLike<number> }
  | { kind: "int64"; values: ArrayLike<number> }
  /** A Feature with no list set, which TensorFlow writes for an empty value of unknown kind. */
  | { kind: "none" };

export type FeatureKind = FeatureValue["kind"];

interface RawList {
  value?: ArrayLike<unknown>;
}
interface RawFeature {
  bytesList?: RawList;
  floatList?: RawList;
  int64List?: RawList;
}

/** Serializes features (in insertion order) as a tf.train.Example. */
export function encodeExample(features: ReadonlyMap<string, FeatureValue>): Uint8Array {
  const feature: Record<string, RawFeature> = {};
  for (const [key, value] of features) {
    if (value.kind === "bytes") feature[key] = { bytesList: { value: value.values } };
    else if (value.kind === "float") feature[key] = { floatList: { value: value.values } };
    else if (value.kind === "int64") feature[key] = { int64List: { value: value.values } };
    else feature[key] = {};
  }
  return ExampleType.encode({ features: { feature } }).finish();
}

/**
 * Parses a serialized tf.train.Example. Byte strings are views into `bytes` (no copy); int64 values become JS
 * numbers (exact up to 2^53, far beyond any RLDS flag or index). Raises FormatError naming `where` when the bytes
 * are not a valid Example.
 */
export function decodeExample(bytes: Uint8Array, where: ErrorLocation = {}): Map<string, FeatureValue> {
  let message: { features?: { feature?: Record<string, RawFeature> } };
  try {
    message = ExampleType.decode(bytes) as unknown as typeof message;
  } catch (cause) {
    throw new FormatError("EXAMPLE_DECODE", `not a tf.train.Example: ${(cause as Error).message}`, { ...where, cause });
  }
  const out = new Map<string, FeatureValue>();
  for (const [key, raw] of Object.entries(message.features?.feature ?? {})) out.set(key, featureOf(raw));
  return out;
}

/**
 * decodeExample for a reader that needs only some features: those in `wanted` are decoded as decodeExample
 * decodes them; every other feature is only counted, as a FeatureValue of the right kind whose `values` have the
 * right length but no contents (for shape checks). Why: an RLDS episode often carries per-step data no canonical
 * row uses (Bridge's 512-float language embedding per step is most of the floats of a record), and protobufjs
 * decodes a float list one number at a time into a growing array; counting a packed list is one length read.
 */
export function decodeExampleFeatures(bytes: Uint8Array, wanted: ReadonlySet<string>, where: ErrorLocation = {}): Map<string, FeatureValue> {
  const out = new Map<string, FeatureValue>();
  try {
    const reader = protobuf.Reader.create(bytes);
    while (reader.pos < reader.len) {
      const tag = fieldTag(reader);
      if (tag !== EXAMPLE_FEATURES) {
        reader.skipType(tag & 7);
        continue;
      }
      const end = within(reader, reader.uint32() + reader.pos, reader.len);
      while (reader.pos < end) {
        const entryTag = fieldTag(reader);
        if (entryTag !== FEATURES_ENTRY) {
          reader.skipType(entryTag & 7);
          continue;
        }
        const entryEnd = within(reader, reader.uint32() + reader.pos, end);
        let key = "";
        let value: Uint8Array | null = null;
        while (reader.pos < entryEnd) {
          const entryField = fieldTag(reader);
          if (entryField === ENTRY_KEY) key = KEY_TEXT.decode(reader.bytes());
          else if (entryField === ENTRY_VALUE) value = reader.bytes();
          else reader.skipType(entryField & 7);
        }
        if (reader.pos !== entryEnd) throw new RangeError("a map entry overruns its length");
        out.set(key, value === null ? { kind: "none" } : wanted.has(key) ? decodeFeature(value) : countFeature(value));
      }
      if (reader.pos !== end) throw new RangeError("the features overrun their length");
    }
  } catch (cause) {
    throw new FormatError("EXAMPLE_DECODE", `not a tf.train.Example: ${(cause as Error).message}`, { ...where, cause });
  }
  return out;
}

/**
 * A feature key is a proto3 `string`, which must be UTF-8: a key that is not is a corrupt record (TensorFlow's parser
 * rejects it too), not a new feature. protobufjs' own string reader would replace the bad bytes instead.
 */
const KEY_TEXT = new TextDecoder("utf-8", { fatal: true });

/** Wire tags (field number << 3 | wire type 2) of Example.features, a Features map entry, its key and its value. */
const EXAMPLE_FEATURES = (1 << 3) | 2;
const FEATURES_ENTRY = (1 << 3) | 2;
const ENTRY_KEY = (1 << 3) | 2;
const ENTRY_VALUE = (2 << 3) | 2;
const FeatureType = root.lookupType("Feature");

function featureOf(raw: RawFeature): FeatureValue {
  if (raw.bytesList) return { kind: "bytes", values: Array.from((raw.bytesList.value ?? []) as Uint8Array[], plainView) };
  if (raw.floatList) return { kind: "float", values: (raw.floatList.value ?? []) as number[] };
  if (raw.int64List) return { kind: "int64", values: ((raw.int64List.value ?? []) as unknown[]).map(toNumber) };
  return { kind: "none" };
}

/**
 * A serialized Feature, as decodeExample gives it. A Feature that is one BytesList (images, strings) is read here
 * into plain views of `bytes`, one object per value where protobufjs makes a Buffer and plainView a second;
 * anything else goes through protobufjs.
 */
function decodeFeature(bytes: Uint8Array): FeatureValue {
  const reader = protobuf.Reader.create(bytes);
  if (bytes.length === 0 || reader.uint32() !== BYTES_LIST || reader.uint32() + reader.pos !== reader.len) return featureOf(FeatureType.decode(bytes) as RawFeature);
  const values: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag !== BYTES_VALUE) return featureOf(FeatureType.decode(bytes) as RawFeature);
    const size = reader.uint32();
    if (reader.pos + size > reader.len) throw new RangeError(`index out of range: ${reader.pos} + ${size} > ${reader.len}`);
    values.push(new Uint8Array(bytes.buffer, bytes.byteOffset + reader.pos, size));
    reader.skip(size);
  }
  return { kind: "bytes", values };
}

/** Wire tags of Feature.bytes_list and of one BytesList value. */
const BYTES_LIST = (1 << 3) | 2;
const BYTES_VALUE = (1 << 3) | 2;

/**
 * A serialized Feature's kind and value count, without its values (see decodeExampleFeatures). As strict as a
 * full decode: every length must stay within its container, and each value must have its kind's wire type.
 */
function countFeature(bytes: Uint8Array): FeatureValue {
  const reader = protobuf.Reader.create(bytes);
  let kind: FeatureKind = "none";
  let count = 0;
  while (reader.pos < reader.len) {
    const tag = fieldTag(reader);
    const field = tag >>> 3;
    if ((tag & 7) !== 2 || field < 1 || field > 3) {
      reader.skipType(tag & 7);
      continue;
    }
    // A later list field replaces an earlier one (a oneof); its values are counted afresh.
    kind = field === 1 ? "bytes" : field === 2 ? "float" : "int64";
    count = 0;
    const end = within(reader, reader.uint32() + reader.pos, reader.len);
    while (reader.pos < end) {
      const valueTag = fieldTag(reader);
      const wire = valueTag & 7;
      if (valueTag >>> 3 !== 1) reader.skipType(wire);
      else if (kind !== "bytes" && wire === 2) {
        const packedEnd = within(reader, reader.uint32() + reader.pos, end);
        if (kind === "float") {
          if ((packedEnd - reader.pos) % 4 !== 0) throw new RangeError(`a packed float list of ${packedEnd - reader.pos} bytes is not whole floats`);
          count += (packedEnd - reader.pos) >> 2;
          reader.skip(packedEnd - reader.pos);
        } else {
          while (reader.pos < packedEnd) {
            reader.skipType(0);
            count++;
          }
          if (reader.pos !== packedEnd) throw new RangeError("a packed varint overruns its list");
        }
      } else {
        if (wire !== VALUE_WIRE[kind]) throw new RangeError(`a ${kind} list value has wire type ${wire}`);
        reader.skipType(wire);
        count++;
      }
    }
    if (reader.pos !== end) throw new RangeError("a value overruns its list");
  }
  if (kind === "bytes") return { kind, values: new Array<Uint8Array>(count) };
  if (kind === "none") return { kind };
  return { kind, values: { length: count } };
}

/** The wire type of one unpacked value of each list kind: bytes length-delimited, float fixed32, int64 varint. */
const VALUE_WIRE = { bytes: 2, float: 5, int64: 0 } as const;

/** The next field tag; field number 0 is not a field (a conforming parser rejects it; it is a corrupt record). */
function fieldTag(reader: protobuf.Reader): number {
  const tag = reader.uint32();
  if (tag >>> 3 === 0) throw new RangeError(`invalid tag ${tag} (field number 0) at byte ${reader.pos - 1}`);
  return tag;
}

/** `end`, once checked to lie within the enclosing message (which ends at `limit`). */
function within(reader: protobuf.Reader, end: number, limit: number): number {
  if (end > limit) throw new RangeError(`a length of ${end - reader.pos} bytes at byte ${reader.pos} runs past its enclosing message`);
  return end;
}

/** protobufjs hands out Node Buffers; a plain Uint8Array view over the same bytes compares and serializes as one. */
function plainView(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function toNumber(v: unknown): number {
  return typeof v === "number" ? v : (v as { toNumber(): number }).toNumber();
}

/** How many values a feature holds (0 for an unset one). */
export function featureLength(value: FeatureValue): number {
  return value.kind === "none" ? 0 : value.values.length;
}
