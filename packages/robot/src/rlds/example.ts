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
  for (const [key, raw] of Object.entries(message.features?.feature ?? {})) {
    if (raw.bytesList) out.set(key, { kind: "bytes", values: Array.from((raw.bytesList.value ?? []) as Uint8Array[], plainView) });
    else if (raw.floatList) out.set(key, { kind: "float", values: (raw.floatList.value ?? []) as number[] });
    else if (raw.int64List) out.set(key, { kind: "int64", values: ((raw.int64List.value ?? []) as unknown[]).map(toNumber) });
    else out.set(key, { kind: "none" });
  }
  return out;
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
