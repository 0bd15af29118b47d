// A manifest names its shards as files of its own folder: no name may lead out of it. And what the fuzzer (test/fuzz,
// target "shards") found in reading Arrow shards: a corrupt length that hung the reader, schema bytes that reached
// consumers as missing columns, buffers inconsistent with their lengths, errors without a place.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordBatch, RecordBatchStreamWriter, Schema, Field, Utf8, makeData, Struct } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { ChecksumError, CotrainError, FormatError, collect, fromRows, openShards, readManifests, writeShards } from "@cotrain/core";
import { errorOf } from "@cotrain/test-utils";
import { mixedRows } from "./fixtures.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-core-safety-"));

async function written(): Promise<{ dir: string; manifest: Record<string, unknown> & { shards: { file: string; bytes: number; sha256: string; rows: number }[] } }> {
  const dir = join(tmp(), "shards");
  await writeShards(fromRows(mixedRows(20), { batchSize: 5 }), dir, { format: "arrow", maxRowsPerShard: 10 });
  return { dir, manifest: JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) };
}

const rewrite = (dir: string, manifest: unknown): void => writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));

describe("manifest shard names stay inside the manifest's folder", () => {
  it.each(["../outside.arrow", "..", ".", "", "/etc/passwd", "C:evil.arrow", "a\u0000b"])("refuses %j (MANIFEST_SHARD_NAME / MANIFEST_SHARD_ENTRY), before any file is opened", async (name) => {
    const { dir, manifest } = await written();
    // A real shard outside the folder, with the manifest's own size and sha256: it would read fine if it were reached.
    copyFileSync(join(dir, manifest.shards[0]!.file), join(dir, "..", "outside.arrow"));
    manifest.shards[0]!.file = name;
    rewrite(dir, manifest);
    const err = await errorOf(() => collect(openShards(dir)));
    expect(err).toBeInstanceOf(FormatError);
    expect(["MANIFEST_SHARD_NAME", "MANIFEST_SHARD_ENTRY"]).toContain((err as FormatError).code);
    expect(err).toMatchObject({ file: join(dir, "manifest.json"), row: 0 });
    await expect(readManifests(dir)).rejects.toThrow(FormatError);
  });

  it.each(["sub/part.arrow", "sub\\part.arrow"])("refuses %j: a name with a separator (shards live in the folder itself)", async (name) => {
    const { dir, manifest } = await written();
    mkdirSync(join(dir, "sub"));
    manifest.shards[0]!.file = name;
    rewrite(dir, manifest);
    expect(await errorOf(() => collect(openShards(dir)))).toMatchObject({ code: "MANIFEST_SHARD_ENTRY", row: 0 });
  });
});

describe("Arrow shards: fuzz findings", () => {
  it("a corrupt first message length is a typed error, not a hang (it once left a read counted forever)", async () => {
    const { dir, manifest } = await written();
    const file = join(dir, manifest.shards[0]!.file);
    const bytes = readFileSync(file);
    bytes[1]! ^= 2; // the continuation marker 0xFFFFFFFF becomes a negative legacy length
    writeFileSync(file, bytes);
    const result = await Promise.race([errorOf(() => collect(openShards(dir, { verify: false }))), new Promise((resolve) => setTimeout(() => resolve("hang"), 5000))]);
    expect(result).toBeInstanceOf(FormatError);
    expect(result).toMatchObject({ code: "SHARD_ARROW_UNREADABLE", file, row: 0 });
  });

  it("a huge length anywhere in a record batch's metadata is a typed error or the rows, never a runaway allocation", async () => {
    // Arrow JS trusts the metadata's vector lengths: a corrupt count of field nodes made it build objects until
    // the process ran out of memory (fuzz cases 4765 and 5786 of seed 1). Every 4-byte word of the first record
    // batch's metadata is set to huge values in turn, with sha256 verification off so Arrow sees the bytes.
    const { dir, manifest } = await written();
    const file = join(dir, manifest.shards[0]!.file);
    const original = readFileSync(file);
    const schemaLength = original.readInt32LE(4);
    const batchAt = 8 + schemaLength;
    const metaLength = original.readInt32LE(batchAt + 4);
    let typed = 0;
    for (let at = batchAt + 8; at + 4 <= batchAt + 8 + metaLength; at += 4) {
      for (const value of [0x0fffffff, 0x7fffffff]) {
        const bytes = Buffer.from(original);
        bytes.writeUInt32LE(value, at);
        writeFileSync(file, bytes);
        const result = await collect(openShards(dir, { verify: false })).then(() => null, (error: unknown) => error);
        if (result !== null) {
          expect(result).toBeInstanceOf(CotrainError);
          expect(result).toMatchObject({ file });
          typed++;
        }
      }
    }
    expect(typed).toBeGreaterThan(0);
  });

  it("a schema that differs from the manifest's (a corrupt field name) is SHARD_SCHEMA naming the field", async () => {
    const { dir, manifest } = await written();
    const file = join(dir, manifest.shards[1]!.file);
    const bytes = readFileSync(file);
    const at = bytes.indexOf(Buffer.from("sample_id"));
    bytes[at + 8] = "x".charCodeAt(0);
    writeFileSync(file, bytes);
    const err = await errorOf(() => collect(openShards(dir, { verify: false })));
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ code: "SHARD_SCHEMA", file, row: 0, field: "sample_id" });
    // With verification (the default) the sha256 catches it first.
    expect(await errorOf(() => collect(openShards(dir)))).toBeInstanceOf(ChecksumError);
  });

  it("a batch whose string offsets run past their bytes is SHARD_ARROW_INVALID, not a TypeError in whoever reads it", async () => {
    const dir = tmp();
    const type = new Utf8();
    const bad = makeData({ type, length: 2, nullCount: 0, valueOffsets: Int32Array.of(0, 3, 99), data: new TextEncoder().encode("abcdef") });
    const schema = new Schema([new Field("source", type, false)]);
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 2, nullCount: 0, children: [bad] }));
    const writer = new RecordBatchStreamWriter();
    writer.write(batch);
    writer.finish();
    const ipc = writer.toUint8Array(true);
    writeFileSync(join(dir, "part.arrow"), ipc);
    const sha256 = createHash("sha256").update(ipc).digest("hex");
    rewrite(dir, { manifest_version: 1, format: "arrow", schema: [{ name: "source", type: "Utf8", nullable: false }], schema_metadata: {}, shards: [{ file: "part.arrow", rows: 2, bytes: ipc.length, sha256 }], total_rows: 2, total_bytes: ipc.length, created_by: "test" });
    const err = await errorOf(() => collect(openShards(dir)));
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ code: "SHARD_ARROW_INVALID", file: join(dir, "part.arrow"), row: 0, field: "source" });
  });

  it("a shard of the wrong size names where file and manifest part", async () => {
    const { dir, manifest } = await written();
    const file = join(dir, manifest.shards[0]!.file);
    const bytes = readFileSync(file);
    writeFileSync(file, bytes.subarray(0, 100));
    expect(await errorOf(() => collect(openShards(dir)))).toMatchObject({ code: "SHARD_TRUNCATED", file, offset: 100, field: "bytes" });
    writeFileSync(file, Buffer.concat([bytes, Buffer.from([1])]));
    const err = await errorOf(() => collect(openShards(dir)));
    expect(err).toBeInstanceOf(ChecksumError);
    expect(err).toMatchObject({ code: "SHARD_SIZE", file, offset: bytes.length, field: "bytes" });
  });

  it("manifest JSON that is not UTF-8, or not JSON, names the byte offset", async () => {
    const { dir } = await written();
    const text = readFileSync(join(dir, "manifest.json"));
    const at = text.indexOf(Buffer.from('"created_by"'));
    writeFileSync(join(dir, "manifest.json"), Buffer.concat([text.subarray(0, at), Buffer.from([0xff]), text.subarray(at)]));
    expect(await errorOf(() => collect(openShards(dir)))).toMatchObject({ code: "MANIFEST_UNREADABLE", offset: at });
    writeFileSync(join(dir, "manifest.json"), Buffer.concat([text.subarray(0, at), Buffer.from("}"), text.subarray(at)]));
    expect(await errorOf(() => collect(openShards(dir)))).toMatchObject({ code: "MANIFEST_UNREADABLE", offset: at });
  });
});
