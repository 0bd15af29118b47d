import { truncateSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crc32c } from "@node-rs/crc32";
import { ChecksumError, TruncatedError } from "@cotrain/core";
import { TFRecordFile, TFRecordWriter, decodeExample, encodeExample, frameRecord, maskedCrc32c, readTFRecords } from "@cotrain/robot";
import type { FeatureValue } from "@cotrain/robot";
import { flipByte, tmp } from "./fixtures.js";

async function writeFile3(path: string): Promise<Uint8Array[]> {
  const records = [new Uint8Array([1, 2, 3]), new Uint8Array(0), Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff)];
  const w = await TFRecordWriter.create(path);
  for (const r of records) await w.write(r);
  await w.close();
  return records;
}

describe("TFRecord framing", () => {
  it("uses CRC32C (Castagnoli) with TensorFlow's mask", () => {
    // The standard CRC-32C check value, and the mask rotr15 + 0xa282ead8 worked by hand for it.
    expect(crc32c("123456789") >>> 0).toBe(0xe3069283);
    const crc = 0xe3069283;
    expect(maskedCrc32c(Buffer.from("123456789"))).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
  });

  it("frames a record as length, length CRC, data, data CRC (little-endian)", () => {
    const data = Buffer.from("hello");
    const framed = frameRecord(data);
    expect(framed.length).toBe(8 + 4 + 5 + 4);
    expect(framed.readUInt32LE(0)).toBe(5);
    expect(framed.readUInt32LE(4)).toBe(0);
    expect(framed.readUInt32LE(8)).toBe(maskedCrc32c(framed.subarray(0, 8)));
    expect(framed.subarray(12, 17).toString()).toBe("hello");
    expect(framed.readUInt32LE(17)).toBe(maskedCrc32c(data));
  });

  it("writes and reads records back, including an empty one", async () => {
    const path = join(tmp(), "a.tfrecord");
    const records = await writeFile3(path);
    const read = [];
    for await (const r of readTFRecords(path)) read.push(r);
    expect(read.map((r) => Array.from(r.data))).toEqual(records.map((r) => Array.from(r)));
    expect(read.map((r) => r.offset)).toEqual([0, 19, 35]);
    expect(read.map((r) => r.index)).toEqual([0, 1, 2]);
  });

  it("reads any record directly at its offset and scans offsets from headers alone", async () => {
    const path = join(tmp(), "a.tfrecord");
    const records = await writeFile3(path);
    const file = await TFRecordFile.open(path);
    expect((await file.scanOffsets()).offsets).toEqual([0, 19, 35]);
    expect(Array.from((await file.readRecord(35, 2))!.data)).toEqual(Array.from(records[2]!));
    expect(await file.readRecord(file.size, 3)).toBeNull();
    await file.close();
  });

  it("raises ChecksumError on a corrupt length CRC, naming file, offset, record and field", async () => {
    const path = join(tmp(), "a.tfrecord");
    await writeFile3(path);
    flipByte(path, 19 + 9); // the length CRC of record 1
    const err = await collectError(path);
    expect(err).toBeInstanceOf(ChecksumError);
    expect(err).toMatchObject({ code: "TFRECORD_LENGTH_CRC", file: path, offset: 19, row: 1, field: "length" });
  });

  it("raises ChecksumError on corrupt data", async () => {
    const path = join(tmp(), "a.tfrecord");
    await writeFile3(path);
    flipByte(path, 35 + 12 + 500); // inside record 2's data
    const err = await collectError(path);
    expect(err).toBeInstanceOf(ChecksumError);
    expect(err).toMatchObject({ code: "TFRECORD_DATA_CRC", file: path, offset: 35, row: 2, field: "data" });
  });

  it("raises TruncatedError when the file ends inside a record or a header", async () => {
    const path = join(tmp(), "a.tfrecord");
    await writeFile3(path);
    truncateSync(path, 35 + 12 + 100);
    const err = await collectError(path);
    expect(err).toBeInstanceOf(TruncatedError);
    expect(err).toMatchObject({ code: "TFRECORD_TRUNCATED", file: path, offset: 35, row: 2, field: "data" });
    truncateSync(path, 35 + 5);
    expect(await collectError(path)).toMatchObject({ code: "TFRECORD_TRUNCATED", offset: 35, row: 2, field: "length" });
    const file = await TFRecordFile.open(path);
    const scan = await file.scanOffsets();
    await file.close();
    expect(scan.offsets).toEqual([0, 19]);
    expect(scan.error).toBeInstanceOf(TruncatedError);
  });
});

describe("tf.train.Example", () => {
  it("matches the protobuf wire format of feature.proto (packed floats, map entries)", () => {
    const bytes = encodeExample(new Map<string, FeatureValue>([["a", { kind: "float", values: [1.5] }]]));
    // Example.features(1) { Features.feature(1) map entry { key(1) "a", value(2) Feature { float_list(2) { value(1) packed [1.5f] } } } }
    expect(Buffer.from(bytes).toString("hex")).toBe("0a0f0a0d0a0161120812060a040000c03f");
  });

  it("round-trips bytes, float and int64 lists", () => {
    const features = new Map<string, FeatureValue>([
      ["steps/observation/image_0", { kind: "bytes", values: [new Uint8Array([0xff, 0xd8]), new Uint8Array(0)] }],
      ["steps/action", { kind: "float", values: Float32Array.from([0.1, -2.5, 3e-8]) }],
      ["steps/is_first", { kind: "int64", values: [1, 0, -3, 2 ** 40] }],
      ["empty", { kind: "none" }],
    ]);
    const back = decodeExample(encodeExample(features));
    expect(back.get("steps/observation/image_0")).toEqual({ kind: "bytes", values: [new Uint8Array([0xff, 0xd8]), new Uint8Array(0)] });
    const action = back.get("steps/action");
    expect(action?.kind === "float" && Array.from(action.values)).toEqual(Array.from(Float32Array.from([0.1, -2.5, 3e-8])));
    const first = back.get("steps/is_first");
    expect(first?.kind === "int64" && Array.from(first.values)).toEqual([1, 0, -3, 2 ** 40]);
    expect(back.get("empty")).toEqual({ kind: "none" });
  });

  it("raises FormatError on bytes that are not an Example", () => {
    const where = { file: "shard-00000", offset: 40, row: 4 };
    expect(() => decodeExample(new Uint8Array([0x0a, 0xff, 0xff, 0xff]), where)).toThrow(expect.objectContaining({ code: "EXAMPLE_DECODE", ...where }));
  });
});

async function collectError(path: string): Promise<unknown> {
  try {
    for await (const _ of readTFRecords(path)) void _;
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}
