// Regression tests for what the fuzzer (test/fuzz, targets "tfrecord" and "example") found in the RLDS reader.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FormatError, TruncatedError, collect } from "@cotrain/core";
import { frameRecord, maskedCrc32c, openRlds, readTFRecords, writeRlds } from "@cotrain/robot";
import type { OpenRldsOptions } from "@cotrain/robot";
import { bridgeEpisode, recordOffsets, rewriteRecord, tmp } from "./fixtures.js";

async function dataset(): Promise<{ dir: string; shard: string }> {
  const dir = tmp();
  const result = await writeRlds(dir, await Promise.all([0, 1, 2].map((i) => bridgeEpisode(i, 3))), { name: "bridge", preset: "bridge" });
  return { dir, shard: result.files[0]! };
}

async function errorOf(dir: string, options: OpenRldsOptions = {}): Promise<unknown> {
  try {
    await collect(await openRlds(dir, options));
  } catch (error) {
    return error;
  }
  throw new Error("expected the reader to raise");
}

const vmPeak = (): number => Number(/VmPeak:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1]) * 1024;

/** Rewrites the header at `offset` to announce `length` bytes, with a valid length CRC. */
function announce(path: string, offset: number, length: number): void {
  const bytes = readFileSync(path);
  bytes.writeBigUInt64LE(BigInt(length), offset);
  bytes.writeUInt32LE(maskedCrc32c(bytes.subarray(offset, offset + 8)), offset + 8);
  writeFileSync(path, bytes);
}

describe("RLDS reader: fuzz findings", () => {
  it.each([false, true])("a header with a valid CRC announcing 2 GiB in a small file is a TruncatedError, allocated for nowhere (shuffle %s)", async (shuffleEpisodes) => {
    const { dir, shard } = await dataset();
    const offsets = await recordOffsets(shard);
    announce(shard, offsets[1]!, 2 ** 31 - 1);
    const before = vmPeak();
    const err = await errorOf(dir, { shuffleEpisodes });
    expect(err).toBeInstanceOf(TruncatedError);
    expect(err).toMatchObject({ code: "TFRECORD_TRUNCATED", file: shard, offset: offsets[1], row: 1, field: "data" });
    // Before the fix the reader sized a read buffer by the field (1.6 GB, then a RangeError).
    expect(vmPeak() - before).toBeLessThan(256 * 2 ** 20);
  });

  it("trailing bytes after the listed records are an error in shuffled mode too, as in sequential mode", async () => {
    const { dir, shard } = await dataset();
    const size = readFileSync(shard).length;
    writeFileSync(shard, Buffer.concat([readFileSync(shard), Buffer.from([1, 2, 3, 4, 5])]));
    for (const shuffleEpisodes of [false, true]) {
      const err = await errorOf(dir, { shuffleEpisodes, seed: 1 });
      expect(err).toBeInstanceOf(FormatError);
      expect(err).toMatchObject({ code: "RLDS_SHARD_LENGTH", file: shard, offset: size, row: 3 });
    }
    const skipping = await openRlds(dir, { shuffleEpisodes: true, seed: 1, onError: "skip" });
    const rows = (await collect(skipping)).reduce((n, b) => n + b.numRows, 0);
    expect(rows).toBe(9);
    expect(skipping.skipped()).toEqual({ RLDS_SHARD_LENGTH: 1 });
  });

  it("an instruction or file_path that is not UTF-8 is a FormatError naming the key, not U+FFFD", async () => {
    for (const key of ["steps/language_instruction", "episode_metadata/file_path"]) {
      const { dir, shard } = await dataset();
      const offsets = await recordOffsets(shard);
      await rewriteRecord(shard, 2, (f) => {
        const v = f.get(key)!;
        if (v.kind !== "bytes") throw new Error(`${key} is not bytes`);
        f.set(key, { kind: "bytes", values: v.values.map((b) => Uint8Array.from([...b.subarray(0, 2), 0xc3, ...b.subarray(2)])) });
      });
      const err = await errorOf(dir);
      expect(err).toBeInstanceOf(FormatError);
      expect(err).toMatchObject({ code: "RLDS_TEXT", file: shard, offset: offsets[2], row: 2, field: key });
    }
  });

  it("protobuf the full decoder rejects is rejected in features read only for their shape too", async () => {
    const cases: [string, (data: Uint8Array) => Uint8Array][] = [
      // field number 0 at the start of the record
      ["field number 0", (data) => Uint8Array.from([0, 0, ...data])],
      // a feature key that is not UTF-8 (proto3 strings must be)
      ["key not UTF-8", (data) => replaceAll(data, Buffer.from("episode_metadata/has_language"), Buffer.from("episode_metadata/has_l\xc3nguage", "latin1"))],
    ];
    for (const [what, mutate] of cases) {
      const { dir, shard } = await dataset();
      const records: Uint8Array[] = [];
      for await (const r of readTFRecords(shard)) records.push(r.index === 1 ? mutate(r.data) : r.data);
      writeFileSync(shard, Buffer.concat(records.map((r) => frameRecord(r))));
      const err = await errorOf(dir);
      expect(err, what).toBeInstanceOf(FormatError);
      expect(err, what).toMatchObject({ code: "EXAMPLE_DECODE", file: shard, row: 1 });
    }
  });

  it("a packed list that overruns its container, in a feature only counted (the language embedding), is an EXAMPLE_DECODE", async () => {
    const { dir, shard } = await dataset();
    const records: Uint8Array[] = [];
    for await (const r of readTFRecords(shard)) records.push(r.data);
    // Find the embedding's FloatList (tag 0x12) whose packed values (tag 0x0a) fill it, and shorten the list's
    // length by 3 so the packed values run past it.
    const data = Buffer.from(records[0]!);
    const floats = 3 * 512 * 4;
    const packedLength = Buffer.from([0x0a, ...varint(floats)]);
    const at = data.indexOf(packedLength);
    expect(at).toBeGreaterThan(0);
    const listLength = varint(floats + packedLength.length);
    const listAt = at - listLength.length;
    expect(data.subarray(listAt, at)).toEqual(Buffer.from(listLength));
    const shorter = varint(floats + packedLength.length - 3);
    expect(shorter.length).toBe(listLength.length);
    Buffer.from(shorter).copy(data, listAt);
    records[0] = data;
    writeFileSync(shard, Buffer.concat(records.map((r) => frameRecord(r))));
    const err = await errorOf(dir);
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ code: "EXAMPLE_DECODE", file: shard, row: 0 });
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

function replaceAll(data: Uint8Array, from: Buffer, to: Buffer): Uint8Array {
  expect(from.length).toBe(to.length);
  const out = Buffer.from(data);
  for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + 1)) to.copy(out, at);
  return out;
}

describe("RLDS metadata: fuzz findings", () => {
  const info = (dir: string) => join(dir, "dataset_info.json");

  it("dataset_info.json or features.json that is not UTF-8, not JSON, or nested too deep names the byte offset or the path", async () => {
    const { dir } = await dataset();
    const text = readFileSync(info(dir));
    const at = text.indexOf(Buffer.from('"splits"'));
    writeFileSync(info(dir), Buffer.concat([text.subarray(0, at + 3), Buffer.from([0xc3]), text.subarray(at + 3)]));
    expect(await errorOf(dir)).toMatchObject({ code: "RLDS_INFO_JSON", file: info(dir), offset: at + 3 });
    writeFileSync(info(dir), Buffer.concat([text.subarray(0, at), Buffer.from("x"), text.subarray(at)]));
    expect(await errorOf(dir)).toMatchObject({ code: "RLDS_INFO_JSON", file: info(dir), offset: at });
    writeFileSync(info(dir), text);
    const features = join(dir, "features.json");
    const tree = readFileSync(features, "utf8");
    // Too deep for JSON.stringify to write, so spliced in as text: {"description": [[[…]]], …}
    writeFileSync(features, `{"description": ${"[".repeat(10_000)}${"]".repeat(10_000)}, ${tree.trimStart().slice(1)}`);
    const err = await errorOf(dir);
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ code: "RLDS_FEATURES", file: features });
    expect((err as FormatError).field).toMatch(/^description\[0\]/);
  });

  it("shardLengths beyond what the file can hold is RLDS_SHARD_LENGTH, before an array of that length is built", async () => {
    const { dir, shard } = await dataset();
    const json = JSON.parse(readFileSync(info(dir), "utf8")) as { splits: { shardLengths: string[] }[] };
    json.splits[0]!.shardLengths = ["18446744073709551616"];
    writeFileSync(info(dir), JSON.stringify(json));
    for (const shuffleEpisodes of [false, true]) {
      const err = await errorOf(dir, { shuffleEpisodes });
      expect(err).toBeInstanceOf(TruncatedError);
      expect(err).toMatchObject({ code: "RLDS_SHARD_LENGTH", file: shard, offset: readFileSync(shard).length });
    }
  });

  it.each(["../../elsewhere-{SHARD_INDEX}", "/etc/passwd", "", "sub/../../x", "x".repeat(300)])("a filepathTemplate leading out of the dataset folder, or naming what no file system holds (%j), is RLDS_INFO_FIELD", async (template) => {
    const { dir } = await dataset();
    const json = JSON.parse(readFileSync(info(dir), "utf8")) as { splits: { filepathTemplate: string }[] };
    json.splits[0]!.filepathTemplate = template;
    writeFileSync(info(dir), JSON.stringify(json));
    const err = await errorOf(dir);
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ code: "RLDS_INFO_FIELD", file: info(dir), field: "splits[0].filepathTemplate" });
  });

  it("a shard name that is a folder is a MissingError naming it, not Node's EISDIR at the first read", async () => {
    const { dir } = await dataset();
    mkdirSync(join(dir, "a-folder"));
    const json = JSON.parse(readFileSync(info(dir), "utf8")) as { splits: { filepathTemplate: string }[] };
    json.splits[0]!.filepathTemplate = "a-folder";
    writeFileSync(info(dir), JSON.stringify(json));
    for (const shuffleEpisodes of [false, true]) expect(await errorOf(dir, { shuffleEpisodes })).toMatchObject({ code: "RLDS_SHARD_UNREADABLE", file: join(dir, "a-folder") });
  });
});
