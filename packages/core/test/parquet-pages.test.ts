// What the fuzzer found in the Parquet reader (test/fuzz: lerobot-parquet, parquet-vqa), each cause as a file that
// DuckDB wrote and this test then changes at a byte it locates and names. Before the page checks, hyparquet looped
// (a page header counting more values than its level runs hold sends its run decoder through the following bytes,
// writing each garbage run's count of values), allocated what a page header said (2 GiB), or yielded values the
// file does not hold (a dictionary index past the dictionary, a chunk decoded as another type). Now each is a typed
// error naming the file, row group, column, page and byte offset, raised before hyparquet decodes the chunk.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DuckDBInstance } from "@duckdb/node-api";
import type { DuckDBConnection } from "@duckdb/node-api";
import { parquetHeader } from "hyparquet/src/column.js";
import { FormatError, ParquetTable } from "@cotrain/core";
import { errorOf } from "@cotrain/test-utils";

const dir = mkdtempSync(join(tmpdir(), "cotrain-parquet-pages-"));
let conn: DuckDBConnection;
const files: Record<string, string> = {};

/** 3,000 rows (two row groups): a nullable low-cardinality string DuckDB dictionary-encodes, and an INT32. */
const TABLE = "SELECT CASE WHEN i % 11 = 0 THEN NULL ELSE 'task ' || (i % 13) END AS label, (i % 100)::INTEGER AS small FROM range(3000) t(i)";

beforeAll(async () => {
  conn = await (await DuckDBInstance.create(":memory:")).connect();
  for (const codec of ["uncompressed", "snappy"]) {
    files[codec] = join(dir, `${codec}.parquet`);
    await conn.run(`COPY (${TABLE}) TO '${files[codec]}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 2048)`);
  }
});

/** The first row group's chunk of `column`: where its dictionary page and first data page start. */
async function chunkOf(file: string, column: string): Promise<{ dictionaryAt: number; dataAt: number }> {
  const rows = (await conn.runAndReadAll(`SELECT * FROM parquet_metadata('${file}') WHERE row_group_id = 0 AND path_in_schema = '${column}'`)).getRowObjectsJS();
  const chunk = rows[0] as { dictionary_page_offset: bigint | null; data_page_offset: bigint };
  return { dictionaryAt: Number(chunk.dictionary_page_offset ?? 0n), dataAt: Number(chunk.data_page_offset) };
}

/** A page header's thrift fields that the tests change: where each i32 varint starts and how long it is. */
function headerFields(bytes: Uint8Array, at: number) {
  const varint = (from: number) => {
    let end = from;
    while ((bytes[end] as number) & 0x80) end++;
    return { at: from, length: end - from + 1 };
  };
  // type (field 1), uncompressed size (2), compressed size (3): each 0x15 (i32, delta 1) and a zigzag varint.
  expect([bytes[at]]).toEqual([0x15]);
  const type = varint(at + 1);
  const uncompressed = varint(type.at + type.length + 1);
  const compressed = varint(uncompressed.at + uncompressed.length + 1);
  let next = compressed.at + compressed.length;
  if (bytes[next] === 0x15) next = varint(next + 1).at + varint(next + 1).length; // an optional crc (field 4)
  // data_page_header (field 5, a struct): its first field is num_values (0x15 and a varint).
  expect([bytes[next + 1]]).toEqual([0x15]);
  const numValues = varint(next + 2);
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: at };
  const header = parquetHeader(reader);
  return { uncompressed, numValues, header, bodyAt: reader.offset };
}

/** Writes the largest non-negative zigzag varint that fits `length` bytes at `at` (the file keeps its layout). */
function largestVarint(bytes: Uint8Array, at: number, length: number): number {
  for (let i = 0; i < length - 1; i++) bytes[at + i] = 0xfe | (i === 0 ? 0 : 1);
  bytes[at + length - 1] = 0x7f;
  return (2 ** (7 * length) - 2) / 2;
}

function changed(name: string, file: string, change: (bytes: Uint8Array) => void): string {
  const bytes = new Uint8Array(readFileSync(file));
  change(bytes);
  const out = join(dir, name);
  writeFileSync(out, bytes);
  return out;
}

async function readAll(file: string, columns: string[]): Promise<Record<string, unknown>[]> {
  const table = await ParquetTable.open(file);
  try {
    return await table.readRows(columns);
  } finally {
    await table.close();
  }
}

describe("Parquet pages that made hyparquet loop, over-allocate or misread", () => {
  it("reads the unchanged files as DuckDB does", async () => {
    for (const file of Object.values(files)) {
      const rows = await readAll(file, ["label", "small"]);
      expect(rows.length).toBe(3000);
      expect(rows.slice(0, 12).map((r) => r.label)).toEqual([null, ...Array.from({ length: 10 }, (_, i) => `task ${i + 1}`), null]);
    }
  });

  it("refuses a data page whose header counts more values than its level runs hold (the runs would be read on into the values)", async () => {
    const { dataAt } = await chunkOf(files.uncompressed as string, "label");
    let count = 0;
    const file = changed("num-values.parquet", files.uncompressed as string, (bytes) => {
      const { numValues } = headerFields(bytes, dataAt);
      count = largestVarint(bytes, numValues.at, numValues.length);
    });
    expect(count).toBeGreaterThan(2048);
    const error = await errorOf(() => readAll(file, ["label"]));
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ code: "PARQUET_PAGE", file, row: 0, field: "label", offset: dataAt });
    // The runs hold 2,104 values (DuckDB pads the last bit-packed run): fewer than the 8,191 the header now counts.
    expect(error.message).toContain(`row group 0 (rows 0–2047), column label, page 1 (at byte ${dataAt}): its definition levels: its runs end after 2104 of its ${count} values`);
  });

  it("refuses a snappy page whose header gives another size than its stream before allocating it", async () => {
    const { dataAt } = await chunkOf(files.snappy as string, "small");
    let size = 0;
    let stated = 0;
    const file = changed("snappy-size.parquet", files.snappy as string, (bytes) => {
      const { uncompressed, header } = headerFields(bytes, dataAt);
      stated = header.uncompressed_page_size;
      size = largestVarint(bytes, uncompressed.at, uncompressed.length);
    });
    expect(size).toBeGreaterThan(stated);
    const error = await errorOf(() => readAll(file, ["small"]));
    expect(error).toMatchObject({ name: "FormatError", code: "PARQUET_PAGE", file, field: "small", offset: dataAt });
    expect(error.message).toContain(`the snappy stream holds ${stated} bytes, but the page header says ${size}`);
  });

  it("refuses a run-length run of definition levels longer than the page's values", async () => {
    const { dataAt } = await chunkOf(files.uncompressed as string, "label");
    const run = 100_000;
    const file = changed("long-run.parquet", files.uncompressed as string, (bytes) => {
      const { bodyAt } = headerFields(bytes, dataAt);
      // The levels: a 4-byte length, then the first run's header (a varint). It becomes the 3-byte header of a
      // run-length run of 100,000 values (an even header, 2 × 100,000), over the bytes that followed it.
      bytes.set([0xc0, 0x9a, 0x0c], bodyAt + 4);
    });
    expect(run).toBeGreaterThan(2048);
    const error = await errorOf(() => readAll(file, ["label"]));
    expect(error).toMatchObject({ name: "FormatError", code: "PARQUET_PAGE", file, field: "label", offset: dataAt });
    expect(error.message).toContain(`its definition levels: a run-length run of ${run} values runs past the 2048 values left`);
  });

  it("refuses a dictionary index past the dictionary (hyparquet yields undefined for it)", async () => {
    const { dataAt } = await chunkOf(files.uncompressed as string, "label");
    const file = changed("index.parquet", files.uncompressed as string, (bytes) => {
      const { bodyAt } = headerFields(bytes, dataAt);
      const levels = new DataView(bytes.buffer).getUint32(bodyAt, true);
      const widthAt = bodyAt + 4 + levels;
      expect(bytes[widthAt]).toBe(4); // 13 entries need 4 bits
      // The first index run: a run-length run's value, or a bit-packed run's first byte, becomes 15 (past 13).
      const runAt = widthAt + 1;
      expect((bytes[runAt] as number) & 0x80).toBe(0);
      bytes[runAt + 1] = 0xff;
    });
    const error = await errorOf(() => readAll(file, ["label"]));
    expect(error).toMatchObject({ name: "FormatError", code: "PARQUET_PAGE", file, field: "label", offset: dataAt });
    expect(error.message).toMatch(/a dictionary index (15|255) is past the dictionary's 13 values/);
  });

  it("refuses a footer whose column chunk gives another type than the schema (its bytes would decode as that type)", async () => {
    const file = changed("chunk-type.parquet", files.uncompressed as string, (bytes) => {
      const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const footerStart = bytes.length - 8 - text.readUInt32LE(bytes.length - 8);
      // The first row group's ColumnMetaData for `small` opens with its type: 0x15 (i32), zigzag(INT32 = 1) = 0x02,
      // then the encodings list (0x19). Its path "small" follows; the schema's "small" comes before the row groups.
      const pathAt = text.indexOf("small", text.indexOf("small", footerStart) + 5);
      const typeAt = text.lastIndexOf(Buffer.from([0x15, 0x02, 0x19]), pathAt);
      expect(typeAt).toBeGreaterThan(footerStart);
      bytes[typeAt + 1] = 0x08; // FLOAT
    });
    const error = await errorOf(() => readAll(file, ["small"]));
    expect(error).toMatchObject({ name: "FormatError", code: "PARQUET_FOOTER", file, field: "small" });
    expect(error.message).toContain("the column chunk says FLOAT, but the schema says INT32");
  });

  it("refuses a page header whose i32 field is sent as an i16 (hyparquet reads the same number; the format, and DuckDB, refuse it)", async () => {
    const { dataAt } = await chunkOf(files.uncompressed as string, "label");
    const file = changed("i16.parquet", files.uncompressed as string, (bytes) => {
      const { numValues } = headerFields(bytes, dataAt);
      expect(bytes[numValues.at - 1]).toBe(0x15);
      bytes[numValues.at - 1] = 0x14; // field delta 1, compact type 4 (i16)
    });
    const error = await errorOf(() => readAll(file, ["label"]));
    expect(error).toMatchObject({ name: "FormatError", code: "PARQUET_PAGE", file, field: "label", offset: dataAt });
    expect(error.message).toContain("the page header does not follow the format: field 1 of its PageHeader.5 has thrift type 4, not i32");
  });

  it("refuses a string that is not UTF-8 (DuckDB does; hyparquet's decoder gives U+FFFD)", async () => {
    const { dictionaryAt } = await chunkOf(files.uncompressed as string, "label");
    const file = changed("utf8.parquet", files.uncompressed as string, (bytes) => {
      const at = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf("task 1", dictionaryAt);
      expect(at).toBeGreaterThan(dictionaryAt);
      bytes[at + 1] = 0xff; // "t\xffsk 1"
    });
    const error = await errorOf(() => readAll(file, ["label"]));
    expect(error).toMatchObject({ name: "FormatError", code: "PARQUET_DECODE", file, row: 0 });
    expect(error.message).toContain("a value of a string column is not valid UTF-8");
  });

  it("names byte 0 of a file too short to be Parquet", async () => {
    const file = join(dir, "short.parquet");
    writeFileSync(file, Uint8Array.of(0x50, 0x41, 0x52));
    expect(await errorOf(() => ParquetTable.open(file))).toMatchObject({ name: "FormatError", code: "PARQUET_NOT_PARQUET", file, offset: 0 });
  });
});
