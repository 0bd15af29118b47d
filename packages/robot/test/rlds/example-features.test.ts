import { describe, expect, it } from "vitest";
import { FormatError } from "@cotrain/core";
import { decodeExample, decodeExampleFeatures, encodeExample } from "@cotrain/robot";
import type { FeatureValue } from "@cotrain/robot";
import { jpeg } from "./fixtures.js";

const lengthOf = (v: FeatureValue): number => (v.kind === "none" ? 0 : v.values.length);

async function example(): Promise<Uint8Array> {
  const features = new Map<string, FeatureValue>([
    ["steps/observation/image_0", { kind: "bytes", values: [await jpeg(1, 2, 3), await jpeg(4, 5, 6), new Uint8Array(0)] }],
    ["steps/language_instruction", { kind: "bytes", values: ["pick", "pick", "plaça ☕"].map((s) => new TextEncoder().encode(s)) }],
    ["steps/action", { kind: "float", values: [0.5, -1.25, 3, 1e-7] }],
    ["steps/language_embedding", { kind: "float", values: Array.from({ length: 512 * 3 }, (_, i) => Math.fround(i / 7)) }],
    ["steps/is_first", { kind: "int64", values: [1, 0, 0] }],
    ["steps/empty", { kind: "float", values: [] }],
    ["episode_metadata/none", { kind: "none" }],
    ["episode_metadata/id", { kind: "int64", values: [2 ** 40, -3] }],
  ]);
  return encodeExample(features);
}

describe("decodeExampleFeatures", () => {
  it("decodes the wanted features as decodeExample does, and only counts the others", async () => {
    const bytes = await example();
    const full = decodeExample(bytes);
    const all = decodeExampleFeatures(bytes, new Set(full.keys()));
    expect([...all.keys()].sort()).toEqual([...full.keys()].sort());
    for (const [key, value] of full) {
      const got = all.get(key)!;
      expect(got.kind).toBe(value.kind);
      if (value.kind !== "none" && got.kind !== "none") expect(Array.from(got.values as ArrayLike<unknown>)).toEqual(Array.from(value.values as ArrayLike<unknown>));
    }
    const counted = decodeExampleFeatures(bytes, new Set(["steps/action"]));
    for (const [key, value] of full) {
      expect(counted.get(key)!.kind).toBe(value.kind);
      expect(lengthOf(counted.get(key)!)).toBe(lengthOf(value));
    }
    expect(Array.from((counted.get("steps/action") as { values: ArrayLike<number> }).values)).toEqual(Array.from((full.get("steps/action") as { values: ArrayLike<number> }).values));
  });

  it("counts unpacked lists and reads byte strings as plain views of the record", () => {
    // A Features map of one entry: key "f" → Feature { float_list { value: 1.5 value: 2.5 } }, floats unpacked.
    const floatList = [0x0d, ...new Uint8Array(Float32Array.of(1.5).buffer), 0x0d, ...new Uint8Array(Float32Array.of(2.5).buffer)];
    const feature = [0x12, floatList.length, ...floatList];
    const entry = [0x0a, 1, 0x66, 0x12, feature.length, ...feature];
    const bytes = Uint8Array.from([0x0a, entry.length + 2, 0x0a, entry.length, ...entry]);
    expect(decodeExampleFeatures(bytes, new Set()).get("f")).toEqual({ kind: "float", values: { length: 2 } });
    expect(Array.from((decodeExampleFeatures(bytes, new Set(["f"])).get("f") as { values: number[] }).values)).toEqual([1.5, 2.5]);
  });

  it("raises FormatError EXAMPLE_DECODE on bytes that are not an Example", () => {
    const where = { file: "x.tfrecord", row: 4 };
    for (const bad of [Uint8Array.from([0x0a, 0x05, 0xff, 0xff]), Uint8Array.from([0x0a, 0x04, 0x0a, 0x09, 0x0a, 0x01])]) {
      expect(() => decodeExampleFeatures(bad, new Set(), where)).toThrow(FormatError);
      expect(() => decodeExampleFeatures(bad, new Set(), where)).toThrow(expect.objectContaining({ code: "EXAMPLE_DECODE", file: "x.tfrecord", row: 4 }));
    }
  });
});
