import { rmSync, truncateSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ChecksumError, ConfigError, FormatError, ImageError, MissingError, TruncatedError, ValueError, collect } from "@cotrain/core";
import { openRlds, writeRlds } from "@cotrain/robot";
import type { FeatureValue, OpenRldsOptions, WriteRldsResult } from "@cotrain/robot";
import { bridgeEpisode, flipByte, recordOffsets, rewriteRecord, tmp } from "./fixtures.js";

const ids = (n: number): string => `/raw/bridge/scene${n % 3}/out.npy_${n}`;

/** A one-shard Bridge dataset of 4 episodes (6 steps each) and its shard's path. */
async function dataset(): Promise<{ dir: string; shard: string; result: WriteRldsResult }> {
  const episodes = await Promise.all([0, 1, 2, 3].map((i) => bridgeEpisode(i, 6, false)));
  const dir = tmp();
  const result = await writeRlds(dir, episodes, { name: "bridge", preset: "bridge" });
  return { dir, shard: result.files[0]!, result };
}

async function errorOf(dir: string, options: OpenRldsOptions = {}): Promise<unknown> {
  try {
    await collect(await openRlds(dir, options));
  } catch (error) {
    return error;
  }
  throw new Error("expected the reader to raise");
}

const set = (f: Map<string, FeatureValue>, key: string, change: (values: number[]) => number[]): void => {
  const v = f.get(key)!;
  if (v.kind !== "float" && v.kind !== "int64") throw new Error(`${key} is not numeric`);
  f.set(key, { kind: v.kind, values: change(Array.from(v.values)) });
};

describe("RLDS corrupt input: typed errors naming file, offset, record and key", () => {
  it("a CRC mismatch in a record header", async () => {
    const { dir, shard } = await dataset();
    const offsets = await recordOffsets(shard);
    flipByte(shard, offsets[2]! + 9);
    const err = await errorOf(dir);
    expect(err).toBeInstanceOf(ChecksumError);
    expect(err).toMatchObject({ code: "TFRECORD_LENGTH_CRC", file: shard, offset: offsets[2], row: 2, field: "length" });
  });

  it("a CRC mismatch in record data", async () => {
    const { dir, shard } = await dataset();
    const offsets = await recordOffsets(shard);
    flipByte(shard, offsets[1]! + 12 + 300);
    const err = await errorOf(dir);
    expect(err).toBeInstanceOf(ChecksumError);
    expect(err).toMatchObject({ code: "TFRECORD_DATA_CRC", file: shard, offset: offsets[1], row: 1, field: "data" });
  });

  it("a truncated record, and a shard with fewer records than dataset_info.json lists", async () => {
    const { dir, shard } = await dataset();
    const offsets = await recordOffsets(shard);
    truncateSync(shard, offsets[3]! + 12 + 40);
    const err = await errorOf(dir);
    expect(err).toBeInstanceOf(TruncatedError);
    expect(err).toMatchObject({ code: "TFRECORD_TRUNCATED", file: shard, offset: offsets[3], row: 3, field: "data" });
    truncateSync(shard, offsets[3]!);
    expect(await errorOf(dir)).toMatchObject({ constructor: TruncatedError, code: "RLDS_SHARD_LENGTH", file: shard, offset: offsets[3], row: 3 });
    expect(await errorOf(dir, { shuffleEpisodes: true })).toMatchObject({ constructor: TruncatedError, code: "RLDS_SHARD_LENGTH", file: shard, row: 3 });
  });

  it("a missing key", async () => {
    const { dir, shard } = await dataset();
    await rewriteRecord(shard, 1, (f) => void f.delete("steps/observation/state"));
    const offsets = await recordOffsets(shard);
    const err = await errorOf(dir);
    expect(err).toBeInstanceOf(MissingError);
    expect(err).toMatchObject({ code: "RLDS_MISSING_KEY", file: shard, offset: offsets[1], row: 1, field: "steps/observation/state" });
  });

  it("a step feature whose value count disagrees with features.json", async () => {
    const { dir, shard } = await dataset();
    await rewriteRecord(shard, 2, (f) => set(f, "steps/observation/state", (v) => v.slice(0, -1)));
    const offsets = await recordOffsets(shard);
    const err = await errorOf(dir);
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ code: "RLDS_SHAPE", file: shard, offset: offsets[2], row: 2, field: "steps/observation/state" });
    expect(String((err as Error).message)).toContain("6 steps × 7 per step");
  });

  it("an unused step feature with a wrong count is caught too (every feature is checked)", async () => {
    const { dir, shard } = await dataset();
    await rewriteRecord(shard, 0, (f) => set(f, "steps/language_embedding", (v) => v.slice(1)));
    expect(await errorOf(dir)).toMatchObject({ constructor: ValueError, code: "RLDS_SHAPE", row: 0, field: "steps/language_embedding" });
  });

  it("a non-finite action", async () => {
    const { dir, shard } = await dataset();
    await rewriteRecord(shard, 0, (f) => set(f, "steps/action", (v) => v.map((x, i) => (i === 7 + 3 ? Number.NaN : x))));
    const err = await errorOf(dir);
    expect(err).toBeInstanceOf(ValueError);
    expect(err).toMatchObject({ code: "NON_FINITE", file: shard, offset: 0, row: 0, field: "steps/action" });
    expect(String((err as Error).message)).toContain("step 1, dimension 3");
  });

  it("an unreadable image (garbage bytes), with the step's sample id", async () => {
    const { dir, shard } = await dataset();
    await rewriteRecord(shard, 1, (f) => {
      const frames = (f.get("steps/observation/image_2") as { values: Uint8Array[] }).values;
      frames[3] = new TextEncoder().encode("not a jpeg at all");
    });
    const offsets = await recordOffsets(shard);
    const err = await errorOf(dir);
    expect(err).toBeInstanceOf(ImageError);
    expect(err).toMatchObject({ code: "IMAGE_UNREADABLE", file: shard, offset: offsets[1], row: 1, field: "steps/observation/image_2", id: `${ids(1)}#3` });
  });

  it("validateImages: a JPEG that looks whole but does not decode passes 'header' and fails 'decode'", async () => {
    const { dir, shard } = await dataset();
    const fake = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, ...Array.from({ length: 64 }, (_, i) => (i * 29) & 0x7f), 0xff, 0xd9]);
    await rewriteRecord(shard, 3, (f) => void ((f.get("steps/observation/image_0") as { values: Uint8Array[] }).values[0] = fake));
    expect((await collect(await openRlds(dir))).reduce((n, b) => n + b.numRows, 0)).toBe(24);
    const err = await errorOf(dir, { validateImages: "decode" });
    expect(err).toBeInstanceOf(ImageError);
    expect(err).toMatchObject({ code: "IMAGE_UNDECODABLE", file: shard, row: 3, field: "steps/observation/image_0", id: `${ids(3)}#0` });
  });

  it("a feature stored as the wrong list kind, and bytes that are not an Example", async () => {
    const { dir, shard } = await dataset();
    await rewriteRecord(shard, 1, (f) => void f.set("steps/action", { kind: "int64", values: new Array(42).fill(1) }));
    expect(await errorOf(dir)).toMatchObject({ constructor: FormatError, code: "RLDS_KIND", file: shard, row: 1, field: "steps/action" });
    await rewriteRecord(shard, 1, () => Uint8Array.from([0x0a, 0x05, 0xff, 0xff]));
    expect(await errorOf(dir)).toMatchObject({ constructor: FormatError, code: "EXAMPLE_DECODE", file: shard, row: 1 });
  });

  it("a shard file listed in dataset_info.json that is missing", async () => {
    const { dir, shard } = await dataset();
    rmSync(shard);
    expect(await errorOf(dir)).toMatchObject({ constructor: MissingError, code: "RLDS_SHARD_MISSING", file: shard });
  });

  it("a mapping naming a key features.json does not have fails before any data is read", async () => {
    const { dir } = await dataset();
    const err = await openRlds(dir, { mapping: { cameras: ["observation/image_9"], action: ["action"] } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: "RLDS_MAPPING", field: "steps/observation/image_9" });
    await expect(openRlds(dir, { mapping: { cameras: [], action: ["language_instruction"] } })).rejects.toMatchObject({ code: "RLDS_MAPPING", field: "steps/language_instruction" });
  });
});
