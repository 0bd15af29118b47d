// The core Parquet reader against files from two independent writers, with DuckDB's own read of each file as the
// expected values: DuckDB writes every codec (UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW, BROTLI) with format V1 and
// V2 encodings (dictionary, DELTA_*, BYTE_STREAM_SPLIT); hyparquet-writer writes data pages v2 (DuckDB 1.5 writes v1
// page headers even with PARQUET_VERSION V2). Then bad input: truncated files, corrupt pages, a non-Parquet file.
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { DuckDBInstance } from "@duckdb/node-api";
import type { DuckDBConnection } from "@duckdb/node-api";
import { compress as zstdCompress, init as zstdInit } from "@bokuweb/zstd-wasm";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { CompressionCodec } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { FormatError, MissingError, ParquetTable, RowGroupCache, TruncatedError } from "@cotrain/core";
import type { ParquetByteSource } from "@cotrain/core";
import { errorOf } from "@cotrain/test-utils";

const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-parquet-"));
let conn: DuckDBConnection;

beforeAll(async () => {
  conn = await (await DuckDBInstance.create(":memory:")).connect();
  await zstdInit();
});

/**
 * 5,000 rows in three row groups: every scalar type LeRobot and HF tables use, nulls, a low-cardinality string and
 * repeated binary values (which DuckDB dictionary-encodes), an image struct, lists with null elements, null and empty
 * lists, a list of lists and a list of structs.
 */
const TABLE = `SELECT i::BIGINT AS id, ((i % 100) - 50)::INTEGER AS small, sin(i)::FLOAT AS f, i / 7.0 AS d, i % 3 = 0 AS flag,
  CASE WHEN i % 11 = 0 THEN NULL ELSE 'task ' || (i % 13) END AS label,
  'row ' || i || ' ✓' AS note,
  CASE WHEN i % 5 = 0 THEN NULL ELSE from_hex('ff00d8' || lpad(hex(i % 4), 2, '0')) END AS blob,
  CASE WHEN i % 17 = 0 THEN NULL ELSE {'bytes': from_hex('ffd8' || lpad(hex(i % 3), 2, '0')), 'path': 'cam/' || i || '.jpg'} END AS image,
  [sin(i), cos(i), i % 5]::FLOAT[] AS action,
  CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN []::INTEGER[] ELSE [i, NULL, i % 9] END AS ints,
  [[i % 3], [], [i, i + 1]] AS nested,
  [{'role': 'user', 'content': 'q' || i}, {'role': 'assistant', 'content': (i % 4)::VARCHAR}] AS messages,
  TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts,
  (i / 4)::DECIMAL(9, 2) AS price
  FROM range(5000) t(i)`;

const CODECS: Record<string, CompressionCodec> = { uncompressed: "UNCOMPRESSED", snappy: "SNAPPY", gzip: "GZIP", zstd: "ZSTD", lz4: "LZ4_RAW", brotli: "BROTLI" };

async function duckWrite(file: string, options: string, select = TABLE): Promise<void> {
  await conn.run(`COPY (${select}) TO '${file}' (FORMAT parquet, ${options}, ROW_GROUP_SIZE 2048)`);
}

/** DuckDB's own reading of a file, in file order. */
async function duckRows(file: string, columns = "* EXCLUDE (file_row_number)", where = "true"): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(`SELECT ${columns} FROM read_parquet('${file}', file_row_number = true) WHERE ${where} ORDER BY file_row_number`)).getRowObjectsJS();
}

async function chunks(file: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(`SELECT * FROM parquet_metadata('${file}') ORDER BY row_group_id, column_id`)).getRowObjectsJS();
}

/** Values of both readers in one comparable form: bytes as hex, INT64 as `<n>n`, timestamps as ISO strings. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return { hex: Buffer.from(value).toString("hex") };
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

async function readAll(file: string, columns?: string[], from?: number, to?: number): Promise<Record<string, unknown>[]> {
  const table = await ParquetTable.open(file);
  try {
    return await table.readRows(columns, from, to);
  } finally {
    await table.close();
  }
}

describe("ParquetTable on DuckDB's files", () => {
  describe.each(Object.keys(CODECS).flatMap((codec) => ["V1", "V2"].map((version) => [codec, version] as const)))("COMPRESSION %s, PARQUET_VERSION %s", (codec, version) => {
    it("decodes every row and column as DuckDB reads them", async () => {
      const file = join(tmp(), `${codec}-${version}.parquet`);
      await duckWrite(file, `COMPRESSION ${codec}, PARQUET_VERSION ${version}`);
      const meta = await chunks(file);
      // The fixture is what it claims: the codec on every chunk, three row groups, dictionary-encoded binary, and
      // for V2 the v2 encodings.
      expect(new Set(meta.map((c) => c.compression))).toEqual(new Set([CODECS[codec]]));
      expect(new Set(meta.map((c) => c.row_group_id))).toEqual(new Set([0n, 1n, 2n]));
      const encodings = (path: string) => String(meta.find((c) => c.path_in_schema === path)?.encodings);
      expect(encodings("blob")).toMatch(/DICTIONARY/);
      expect(encodings("image, bytes")).toMatch(/DICTIONARY/);
      const all = meta.map((c) => String(c.encodings)).join(",");
      if (version === "V2") for (const e of ["RLE_DICTIONARY", "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "BYTE_STREAM_SPLIT"]) expect(all).toContain(e);

      const table = await ParquetTable.open(file);
      expect(table.numRows).toBe(5000);
      expect(table.rowGroups.map((g) => [g.firstRow, g.rows])).toEqual([[0, 2048], [2048, 2048], [4096, 904]]);
      expect(table.columnKind("messages")).toBe("list");
      expect(table.columnKind("image")).toBe("struct");
      expect(table.columnKind("id")).toBe("value");
      const rows = await table.readRows();
      await table.close();
      const expected = await duckRows(file);
      expect(rows).toHaveLength(5000);
      expect(rows.map(plain)).toEqual(expected.map(plain));
      // Binary stays binary (DuckDB's dictionary pages of image bytes are not turned into text).
      expect(rows[1]!.blob).toBeInstanceOf(Uint8Array);
      expect(Buffer.from((rows[1]!.image as { bytes: Uint8Array }).bytes).toString("hex")).toBe("ffd801");
    });
  });

  it("reads a column subset over a row range that crosses row groups, with and without a row-group cache", async () => {
    const file = join(tmp(), "range.parquet");
    await duckWrite(file, "COMPRESSION zstd, PARQUET_VERSION V2");
    const expected = (await duckRows(file, "id, messages, image", "file_row_number BETWEEN 2000 AND 2099")).map(plain);
    expect((await readAll(file, ["id", "messages", "image"], 2000, 2100)).map(plain)).toEqual(expected);
    const table = await ParquetTable.open(file);
    const cache = new RowGroupCache(2);
    const first = await table.readRows(["id", "messages", "image"], 2000, 2050, cache);
    const second = await table.readRows(["id", "messages", "image"], 2050, 2100, cache);
    expect([...first, ...second].map(plain)).toEqual(expected);
    expect(Object.keys(first[0]!).sort()).toEqual(["id", "image", "messages"]);
    await table.close();
  });

  it("reads through any byte source, fetching only the column chunks it needs", async () => {
    const file = join(tmp(), "wide.parquet");
    await duckWrite(file, "COMPRESSION uncompressed", "SELECT i AS id, repeat(md5(i::VARCHAR), 40)::BLOB AS payload FROM range(3000) t(i)");
    const bytes = readFileSync(file);
    let read = 0;
    let closed = false;
    const source: ParquetByteSource = {
      size: bytes.length,
      async read(buffer, offset, length, position) {
        const n = bytes.copy(buffer, offset, position, Math.min(position + length, bytes.length));
        read += n;
        return n;
      },
      async close() {
        closed = true;
      },
    };
    const table = await ParquetTable.fromSource(source, "memory://wide.parquet");
    const rows = await table.readRows(["id"]);
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 3000 }, (_, i) => BigInt(i)));
    expect(read).toBeLessThan(bytes.length / 10);
    await table.close();
    expect(closed).toBe(true);
  });
});

describe("ParquetTable on data pages v2 (hyparquet-writer), against DuckDB's reading", () => {
  const compressors = {
    GZIP: (input: Uint8Array) => gzipSync(input),
    BROTLI: (input: Uint8Array) => brotliCompressSync(input),
    ZSTD: (input: Uint8Array) => zstdCompress(input, 3),
  };
  const n = 3000;
  const columnData = [
    { name: "id", data: Array.from({ length: n }, (_, i) => BigInt(i)), type: "INT64" as const },
    { name: "label", data: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : `task ${i % 5}`)), type: "STRING" as const },
    { name: "note", data: Array.from({ length: n }, (_, i) => `row ${i} ✓`), type: "STRING" as const },
    { name: "bin", data: Array.from({ length: n }, (_, i) => Uint8Array.from([0xff, 0xd8, i % 3, (i * 7) & 0xff])), type: "BYTE_ARRAY" as const },
    { name: "x", data: Float64Array.from({ length: n }, (_, i) => Math.sin(i)), type: "DOUBLE" as const },
  ];

  it.each(["UNCOMPRESSED", "SNAPPY", "GZIP", "BROTLI", "ZSTD"] as const)("decodes %s pages", async (codec) => {
    const file = join(tmp(), `v2-${codec}.parquet`);
    const buffer = parquetWriteBuffer({ columnData, codec, compressors, rowGroupSize: 1000, pageSize: 4096 });
    writeFileSync(file, new Uint8Array(buffer));
    // Every data page carries a v2 header, and the chunks hold several pages each.
    const meta = await chunks(file);
    expect(new Set(meta.map((c) => c.compression))).toEqual(new Set([codec]));
    const bytes = readFileSync(file);
    const note = meta.find((c) => c.path_in_schema === "note")!;
    const types: string[] = [];
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.length), offset: Number(note.dictionary_page_offset ?? note.data_page_offset) };
    while (reader.offset < Number(note.data_page_offset) + Number(note.total_compressed_size)) {
      const header = parquetHeader(reader);
      types.push(header.type);
      reader.offset += header.compressed_page_size;
    }
    expect(types.length).toBeGreaterThan(2);
    expect(types.every((t) => t === "DATA_PAGE_V2" || t === "DICTIONARY_PAGE")).toBe(true);
    expect((await readAll(file)).map(plain)).toEqual((await duckRows(file)).map(plain));
  });
});

/** The page header at `offset` starts with three compact-thrift i32 fields: type, uncompressed size, compressed size. */
function pageSizes(bytes: Buffer, offset: number): { sizeAt: number; sizeLength: number; size: number } {
  let at = offset;
  const varint = (): [number, number] => {
    let value = 0;
    let shift = 0;
    const start = at;
    for (;;) {
      const byte = bytes[at++]!;
      value |= (byte & 0x7f) << shift;
      shift += 7;
      if (byte < 0x80) return [value >>> 1 ^ -(value & 1), at - start];
    }
  };
  for (const field of [1, 2]) {
    expect(bytes[at++]).toBe(0x15); // field delta 1, type i32
    varint();
    void field;
  }
  expect(bytes[at++]).toBe(0x15);
  const sizeAt = at;
  const [size, sizeLength] = varint();
  return { sizeAt, sizeLength, size };
}

function writeVarint(bytes: Buffer, at: number, length: number, value: number): void {
  let zigzag = (value << 1) ^ (value >> 31);
  for (let k = 0; k < length; k++) {
    const last = k === length - 1;
    bytes[at + k] = (zigzag & 0x7f) | (last ? 0 : 0x80);
    zigzag >>>= 7;
  }
  expect(zigzag).toBe(0); // the new size fits in the old varint's bytes
}

describe("ParquetTable on bad files", () => {
  let good: string;
  beforeAll(async () => {
    good = join(tmp(), "good.parquet");
    await duckWrite(good, "COMPRESSION zstd, PARQUET_VERSION V2");
  });

  const copy = (name: string): string => {
    const file = join(tmp(), name);
    writeFileSync(file, readFileSync(good));
    return file;
  };

  it("names a truncated file with TruncatedError", async () => {
    const file = copy("cut.parquet");
    truncateSync(file, Math.floor(readFileSync(file).length * 0.6));
    const error = await errorOf(() => ParquetTable.open(file));
    expect(error).toBeInstanceOf(TruncatedError);
    expect(error).toMatchObject({ code: "PARQUET_TRUNCATED", file });
  });

  it("names the row group, column and page whose compressed size is wrong", async () => {
    const chunk = (await chunks(good)).find((c) => c.row_group_id === 1n && c.path_in_schema === "note")!;
    const pageAt = Number(chunk.data_page_offset);
    // Three bytes short (the page no longer decompresses), or the largest size its varint holds (past the chunk).
    for (const [change, reason] of [["short", /does not decompress as ZSTD/], ["long", /runs past the end of the column chunk/]] as const) {
      const file = copy(`page-${change}.parquet`);
      const bytes = readFileSync(file);
      const { sizeAt, sizeLength, size } = pageSizes(bytes, pageAt);
      const wrong = change === "short" ? size - 3 : (2 ** (7 * sizeLength) - 2) / 2;
      if (change === "long") expect(wrong).toBeGreaterThan(Number(chunk.total_compressed_size));
      writeVarint(bytes, sizeAt, sizeLength, wrong);
      writeFileSync(file, bytes);
      // Other columns and row groups still read; the bad chunk raises a FormatError that says where it is.
      expect((await readAll(file, ["id", "note"], 0, 2048)).length).toBe(2048);
      const error = await errorOf(() => readAll(file, ["id", "note"]));
      expect(error).toBeInstanceOf(FormatError);
      expect(error).toMatchObject({ code: "PARQUET_PAGE", file, row: 2048, field: "note", offset: pageAt });
      expect(error.message).toContain("row group 1 (rows 2048–4095), column note, page ");
      expect(error.message).toMatch(reason);
    }
  });

  it("refuses a footer whose length is corrupt, a file that is not Parquet, and a missing file", async () => {
    const file = copy("footer.parquet");
    const bytes = readFileSync(file);
    bytes.writeUInt32LE(bytes.length, bytes.length - 8);
    writeFileSync(file, bytes);
    expect(await errorOf(() => ParquetTable.open(file))).toMatchObject({ name: "FormatError", code: "PARQUET_FOOTER", file });
    const json = join(tmp(), "table.parquet");
    writeFileSync(json, JSON.stringify({ not: "parquet", padding: "x".repeat(64) }));
    expect(await errorOf(() => ParquetTable.open(json))).toMatchObject({ name: "FormatError", code: "PARQUET_NOT_PARQUET", file: json });
    const missing = join(tmp(), "absent.parquet");
    const error = await errorOf(() => ParquetTable.open(missing));
    expect(error).toBeInstanceOf(MissingError);
    expect(error).toMatchObject({ code: "PARQUET_FILE_MISSING", file: missing });
  });

  it("refuses a footer whose column chunk names no column of the schema (hyparquet would leave its read unawaited)", async () => {
    const file = copy("orphan-chunk.parquet");
    const bytes = readFileSync(file);
    const footerStart = bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
    // The last "small" in the footer is the last row group's path_in_schema (the schema's element comes first).
    const at = bytes.lastIndexOf("small");
    expect(at).toBeGreaterThan(footerStart);
    bytes.write("smalx", at);
    writeFileSync(file, bytes);
    const error = await errorOf(() => ParquetTable.open(file));
    expect(error).toMatchObject({ name: "FormatError", code: "PARQUET_FOOTER", file, offset: footerStart });
    expect(error.message).toContain('["smalx"], which is not a leaf of the file\'s schema');
  });

  it("names a missing column", async () => {
    const table = await ParquetTable.open(good);
    expect(await errorOf(() => table.readRows(["id", "nope"]))).toMatchObject({ name: "MissingError", code: "PARQUET_MISSING_COLUMN", file: good, field: "nope" });
    await table.close();
  });
});
