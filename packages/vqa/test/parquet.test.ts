import { describe, expect, it } from "vitest";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { collect } from "@cotrain/core";
import { runResumeTest } from "@cotrain/test-utils";
import { openParquetVqa, writeParquetVqa } from "@cotrain/vqa";
import type { VqaEntry } from "@cotrain/vqa";
import { errorOf, expectedRow, makeEntries, makeImage, plainRow, readRows, tmp } from "./fixtures.js";

const images = await Promise.all([0, 1, 2].map((s) => makeImage(s, s === 1 ? "jpeg" : "png")));
const all = makeEntries(40, images);
const single = all.filter((e) => e.images.length <= 1);
const qa: VqaEntry[] = Array.from({ length: 30 }, (_, i) => ({
  id: `q${i}`,
  images: i % 4 === 3 ? [] : [{ path: `vqa/${i}.png`, bytes: images[i % 3] as Uint8Array }],
  conversations: [
    { from: "human", value: `How many objects in ${i}? ✓` },
    { from: "gpt", value: String(i % 6) },
  ],
}));

async function duck(sql: string): Promise<void> {
  const db = await DuckDBInstance.create(":memory:");
  const conn = await db.connect();
  await conn.run(sql);
  conn.closeSync();
}
const hex = (b: Uint8Array) => `from_hex('${Buffer.from(b).toString("hex")}')`;
const str = (s: string) => `'${s.replace(/'/g, "''")}'`;

describe("writeParquetVqa → openParquetVqa", () => {
  it("round-trips the conversations layout with image structs, across row groups", async () => {
    const file = join(tmp(), "train.parquet");
    expect(await writeParquetVqa(file, single, { rowGroupSize: 7 })).toEqual({ entries: single.length, images: single.filter((e) => e.images.length).length });
    const source = openParquetVqa(file, { batchSize: 5 });
    const rows = await readRows(source);
    expect(rows.map(plainRow)).toEqual(single.map((e) => expectedRow(e, "train")));
  });

  it("writes atomically and stores a DuckDB-readable HF layout", async () => {
    const dir = tmp();
    const file = join(dir, "t.parquet");
    function* failing() {
      yield single[0]!;
      throw new Error("converter crashed");
    }
    await expect(writeParquetVqa(file, failing())).rejects.toThrow("converter crashed");
    expect(readdirSync(dir)).toEqual([]);
    await writeParquetVqa(file, single.slice(0, 4));
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const types = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM '${file}'`)).getRowObjectsJS().map((r) => [r.column_name, r.column_type]);
    expect(types).toEqual([["id", "VARCHAR"], ["image", "STRUCT(bytes BLOB, path VARCHAR)"], ["conversations", 'STRUCT("from" VARCHAR, "value" VARCHAR)[]']]);
    const got = (await conn.runAndReadAll(`SELECT id, image.path AS path, image.bytes AS bytes FROM '${file}'`)).getRowObjectsJS();
    expect(got.map((r) => [r.id, r.path, r.bytes === null ? null : Array.from(r.bytes as Uint8Array)])).toEqual(
      single.slice(0, 4).map((e) => [e.id, e.images[0]?.path ?? null, e.images[0] ? Array.from(e.images[0].bytes!) : null]),
    );
    conn.closeSync();
  });

  it("round-trips multi-image entries as an images list", async () => {
    const file = join(tmp(), "multi.parquet");
    await writeParquetVqa(file, all, { multiImage: true, rowGroupSize: 16 });
    expect((await readRows(openParquetVqa(file))).map(plainRow)).toEqual(all.map((e) => expectedRow(e, "multi")));
    const error = await errorOf(() => writeParquetVqa(join(tmp(), "x.parquet"), all));
    expect(error).toMatchObject({ name: "ValueError", code: "PARQUET_WRITE_MULTI_IMAGE", row: 4, id: "e0004" });
  });

  it("round-trips the question/answer layout", async () => {
    const file = join(tmp(), "vqa.parquet");
    await writeParquetVqa(file, qa, { layout: "qa", rowGroupSize: 8 });
    expect((await readRows(openParquetVqa(file, { batchSize: 7, source: "vqav2" }))).map(plainRow)).toEqual(qa.map((e) => expectedRow(e, "vqav2")));
    expect(await errorOf(() => writeParquetVqa(join(tmp(), "x.parquet"), all.slice(0, 3), { layout: "qa" }))).toMatchObject({ code: "PARQUET_WRITE_QA_SHAPE", row: 2 });
  });

  it("reads a folder of files in sorted order, resumes across files and row groups, shards and shuffles", async () => {
    const dir = tmp();
    // Written out of name order: the reader must sort.
    await writeParquetVqa(join(dir, "train-00002.parquet"), single.slice(20), { rowGroupSize: 4 });
    await writeParquetVqa(join(dir, "train-00000.parquet"), single.slice(0, 9), { rowGroupSize: 4 });
    await writeParquetVqa(join(dir, "train-00001.parquet"), single.slice(9, 20), { rowGroupSize: 4 });
    writeFileSync(join(dir, "README.md"), "not parquet");
    const rows = await readRows(openParquetVqa(dir, { batchSize: 6 }));
    expect(rows.map((r) => r.sample_id)).toEqual(single.map((e) => e.id));
    expect(rows[0]!.source).toBe(dir.split("/").pop());
    expect((await runResumeTest(() => openParquetVqa(dir, { batchSize: 3 }))).total).toBe(Math.ceil(single.length / 3));
    await runResumeTest(() => openParquetVqa(dir, { batchSize: 4, shard: { index: 1, count: 3 } }));
    await runResumeTest(() => openParquetVqa(dir, { batchSize: 4, shuffle: { bufferSize: 10, seed: 9 } }), [0, 1, 3, 5, 8]);
    const shard = await readRows(openParquetVqa(dir, { shard: { index: 1, count: 3 } }));
    expect(shard.map((r) => r.sample_id)).toEqual(single.filter((_, i) => i % 3 === 1).map((e) => e.id));
    const shuffled = (await readRows(openParquetVqa(dir, { shuffle: { bufferSize: 10, seed: 9 } }))).map((r) => r.sample_id);
    expect(shuffled).not.toEqual(single.map((e) => e.id));
    expect([...shuffled].sort()).toEqual(single.map((e) => e.id).sort());
  });
});

describe("openParquetVqa on tables written by DuckDB", () => {
  it("reads a struct image column and a list of {role, content} messages (snappy)", async () => {
    const file = join(tmp(), "duck.parquet");
    const values = single.slice(0, 12).map((e, i) => {
      const image = e.images[0] ? `{'bytes': ${hex(e.images[0].bytes!)}, 'path': ${str(e.images[0].path)}}` : "NULL";
      const messages = `[${e.conversations.map((t) => `{'role': ${str({ human: "user", gpt: "assistant", system: "system" }[t.from])}, 'content': ${str(t.value)}}`).join(", ")}]`;
      return `(${str(e.id)}, ${image}, ${messages}, ${i})`;
    });
    await duck(`COPY (SELECT * FROM (VALUES ${values.join(",\n")}) t(id, image, messages, extra) ORDER BY extra) TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
    const rows = await readRows(openParquetVqa(file, { batchSize: 5 }));
    expect(rows.map(plainRow)).toEqual(single.slice(0, 12).map((e) => expectedRow(e, "duck")));
    await runResumeTest(() => openParquetVqa(file, { batchSize: 5 }));
  });

  it("reads {from, value} conversations, a binary image column, numeric ids and configured column names", async () => {
    const file = join(tmp(), "llava_like.parquet");
    const values = qa.slice(0, 6).map((e, i) => `(${i * 10}, ${e.images[0] ? hex(e.images[0].bytes!) : "NULL"}, [{'from': 'human', 'value': ${str(e.conversations[0]!.value)}}, {'from': 'gpt', 'value': ${str(e.conversations[1]!.value)}}])`);
    await duck(`COPY (SELECT * FROM (VALUES ${values.join(",")}) t(qid, picture, dialog)) TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
    const rows = await readRows(openParquetVqa(file, { columns: { id: "qid", image: "picture", messages: "dialog" } }));
    expect(rows.map(plainRow)).toEqual(qa.slice(0, 6).map((e, i) => ({ ...expectedRow(e, "llava_like"), sample_id: String(i * 10) })));
  });

  it("reads question/answers columns (first answer), and makes ids from the row when there is no id column", async () => {
    const file = join(tmp(), "answers.parquet");
    await duck(`COPY (SELECT * FROM (VALUES ({'bytes': ${hex(images[0]!)}, 'path': NULL}, 'Q0?', ['a0', 'b0']), (NULL, 'Q1?', ['a1'])) t(image, question, answers)) TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
    const rows = await readRows(openParquetVqa(file));
    expect(rows.map((r) => [r.sample_id, r.messages, r.images.length])).toEqual([
      ["answers.parquet#0", [{ role: "user", content: "Q0?" }, { role: "assistant", content: "a0" }], 1],
      ["answers.parquet#1", [{ role: "user", content: "Q1?" }, { role: "assistant", content: "a1" }], 0],
    ]);
  });

  it("reads a ZSTD table with format V2 encodings (as pyarrow and the Hub write them), across row groups", async () => {
    const file = join(tmp(), "zstd.parquet");
    const entries = qa.filter((e) => e.images.length === 1);
    const values = entries.map((e, i) => `(${str(e.id)}, {'bytes': ${hex(e.images[0]!.bytes!)}, 'path': ${str(e.images[0]!.path)}}, ${str(e.conversations[0]!.value)}, ${str(e.conversations[1]!.value)}, ${i})`);
    // Enough rows for three row groups of DuckDB's smallest size (2,048 rows).
    // Unique ids, which DuckDB's V2 writer stores as DELTA_LENGTH_BYTE_ARRAY; the repeating columns get dictionaries.
    await duck(`COPY (SELECT t.id || '-' || k AS id, image, question, answer FROM (VALUES ${values.join(",")}) t(id, image, question, answer, n), range(220) r(k) ORDER BY k, n) TO '${file}' (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION V2, ROW_GROUP_SIZE 2048)`);
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const meta = (await conn.runAndReadAll(`SELECT row_group_id, path_in_schema, compression, encodings FROM parquet_metadata('${file}')`)).getRowObjectsJS();
    conn.closeSync();
    expect(new Set(meta.map((m) => m.compression))).toEqual(new Set(["ZSTD"]));
    expect(new Set(meta.map((m) => m.row_group_id)).size).toBe(3);
    expect(String(meta.find((m) => m.path_in_schema === "id")?.encodings)).toMatch(/DELTA_LENGTH_BYTE_ARRAY/);
    expect(String(meta.find((m) => m.path_in_schema === "image, bytes")?.encodings)).toMatch(/RLE_DICTIONARY/);
    // Compared with images as base64 strings: 5,000 rows of byte arrays as number arrays would take toEqual seconds.
    const compact = (row: ReturnType<typeof plainRow>) => ({ ...row, images: row.images.map((b) => Buffer.from(b).toString("base64")) });
    const rows = await readRows(openParquetVqa(file, { batchSize: 500, source: "vqav2" }));
    const expected = Array.from({ length: 220 }, (_, k) => entries.map((e) => ({ ...expectedRow(e, "vqav2"), sample_id: `${e.id}-${k}` }))).flat().map(compact);
    expect(rows.map((r) => compact(plainRow(r)))).toEqual(expected);
    // A restore into row group 1 steps over group 0 by its row count and starts mid-group.
    const resumed = openParquetVqa(file, { batchSize: 500, source: "vqav2" });
    resumed.restore({ position: { file: 0, name: "zstd.parquet", row: 3000, index: 3000 }, skipped: {} });
    expect((await readRows(resumed)).map((r) => compact(plainRow(r)))).toEqual(expected.slice(3000));
  });

  it("raises typed errors for bad rows, and skips them counted by reason", async () => {
    const dir = tmp();
    const imageRoot = join(dir, "root");
    mkdirSync(imageRoot);
    writeFileSync(join(imageRoot, "ok.png"), images[0]!);
    const file = join(dir, "bad.parquet");
    const msg = (role: string) => `[{'role': '${role}', 'content': 'x'}]`;
    await duck(`COPY (SELECT * FROM (VALUES
      ('g0', {'bytes': ${hex(images[0]!)}, 'path': 'a.png'}, ${msg("user")}),
      ('b0', NULL, ${msg("robot")}),
      ('b1', {'bytes': from_hex('00112233'), 'path': 'c.png'}, ${msg("user")}),
      ('g1', {'bytes': NULL, 'path': 'ok.png'}, ${msg("user")}),
      ('b2', {'bytes': NULL, 'path': '../ok.png'}, ${msg("user")}),
      ('b3', NULL, NULL),
      ('b4', NULL, []::STRUCT(role VARCHAR, content VARCHAR)[]),
      ('g2', NULL, ${msg("assistant")})
    ) t(id, image, messages)) TO '${file}' (FORMAT parquet, COMPRESSION snappy)`);
    const expectations: [number, Record<string, unknown>][] = [
      [1, { name: "ValueError", code: "VQA_UNKNOWN_ROLE", id: "b0", field: "messages[0].role" }],
      [2, { name: "ImageError", code: "IMAGE_UNREADABLE", id: "b1", field: "image" }],
      [4, { name: "ValueError", code: "VQA_IMAGE_OUTSIDE_ROOT", id: "b2", field: "image" }],
      [5, { name: "MissingError", code: "VQA_NO_CONVERSATIONS", id: "b3", field: "messages" }],
      [6, { name: "ValueError", code: "VQA_EMPTY_CONVERSATIONS", id: "b4", field: "messages" }],
    ];
    const first = await errorOf(() => collect(openParquetVqa(file, { imageRoot })));
    expect(first).toMatchObject({ ...expectations[0]![1], file, row: 1 });
    for (const [row, expected] of expectations) {
      const source = openParquetVqa(file, { imageRoot, batchSize: 1 });
      source.restore({ position: { file: 0, name: "bad.parquet", row, index: row }, skipped: {} });
      expect(await errorOf(() => source.next())).toMatchObject({ ...expected, file, row });
      await source.close?.();
    }
    const skipping = openParquetVqa(file, { imageRoot, onError: "skip" });
    const rows = await readRows(skipping);
    expect(rows.map((r) => [r.sample_id, r.images.length])).toEqual([["g0", 1], ["g1", 1], ["g2", 0]]);
    expect(skipping.skipped()).toEqual({ IMAGE_UNREADABLE: 1, VQA_EMPTY_CONVERSATIONS: 1, VQA_IMAGE_OUTSIDE_ROOT: 1, VQA_NO_CONVERSATIONS: 1, VQA_UNKNOWN_ROLE: 1 });
  });

  it("names a configured column that the file lacks, and a path-only image without an image root", async () => {
    const file = join(tmp(), "t.parquet");
    await writeParquetVqa(file, [{ id: "p", images: [{ path: "only/path.png" }], conversations: [{ from: "human", value: "q" }] }]);
    expect(await errorOf(() => collect(openParquetVqa(file, { columns: { messages: "turns" } })))).toMatchObject({ name: "MissingError", code: "PARQUET_NO_COLUMN", file, field: "turns" });
    expect(await errorOf(() => collect(openParquetVqa(file)))).toMatchObject({ name: "MissingError", code: "VQA_IMAGE_NO_ROOT", file, row: 0, id: "p", field: "image" });
    expect(await errorOf(() => collect(openParquetVqa(file, { imageRoot: tmp() })))).toMatchObject({ name: "MissingError", code: "VQA_IMAGE_MISSING" });
  });
});
