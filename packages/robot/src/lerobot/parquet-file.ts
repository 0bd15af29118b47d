import { stat } from "node:fs/promises";
import parquet from "parquetjs-lite";
import type { FileMetaData, ParquetEnvelopeReader, ParquetReader } from "parquetjs-lite";
import codecs from "parquetjs-lite/lib/codec/index.js";
import { FormatError, MissingError, UnsupportedError } from "@cotrain/core";

/**
 * A Parquet file read with parquetjs-lite, made safe for files that pyarrow (Hugging Face `datasets`, LeRobot)
 * and DuckDB write. parquetjs-lite 0.8.7 has three gaps that matter for LeRobot data, closed here:
 *
 * 1. It refuses any footer whose format version is not 1, but pyarrow writes 2 by default (format "2.6"). The
 *    data pages it writes are the same v1 pages, so the version is accepted and normalized before decoding.
 * 2. It knows the dictionary encoding only as PLAIN_DICTIONARY; pyarrow's 2.x files call the identical page
 *    layout RLE_DICTIONARY. The name is registered as an alias.
 * 3. It turns every dictionary entry into a string (`toString()`), which silently corrupts dictionary-encoded
 *    binary columns: DuckDB and pyarrow dictionary-encode image bytes that repeat, such as an unused all-black
 *    camera. Binary leaves of the opened file decode their dictionary page with a codec that keeps the bytes.
 *
 * What it cannot read (ZSTD, LZ4, BROTLI compression; DELTA_* and BYTE_STREAM_SPLIT encodings) is detected from
 * the footer before decoding and reported as an UnsupportedError naming the file, the column and the codec.
 */
const CODEC_NAMES = ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"];
const READABLE_CODECS = new Set([0, 1, 2]);
const ENCODING_NAMES: Record<number, string> = {
  0: "PLAIN", 2: "PLAIN_DICTIONARY", 3: "RLE", 4: "BIT_PACKED", 5: "DELTA_BINARY_PACKED", 6: "DELTA_LENGTH_BYTE_ARRAY",
  7: "DELTA_BYTE_ARRAY", 8: "RLE_DICTIONARY", 9: "BYTE_STREAM_SPLIT",
};
const READABLE_ENCODINGS = new Set([0, 2, 3, 8]);
const BINARY_DICTIONARY = "COTRAIN_BINARY_DICTIONARY";

function installCodecShims(): void {
  if (!codecs.RLE_DICTIONARY && codecs.PLAIN_DICTIONARY) codecs.RLE_DICTIONARY = codecs.PLAIN_DICTIONARY;
  if (codecs[BINARY_DICTIONARY]) return;
  const plain = codecs.PLAIN;
  if (!plain) throw new UnsupportedError("PARQUET_LIBRARY", "parquetjs-lite has no PLAIN codec; is it version 0.8.x?");
  codecs[BINARY_DICTIONARY] = {
    decodeValues(type, cursor, count, options) {
      const values = plain.decodeValues(type, cursor, count, options) as Buffer[];
      // The reader maps dictionary entries through toString(); returning the buffer itself keeps the bytes.
      for (const value of values) Object.defineProperty(value, "toString", { value: () => value });
      return values;
    },
  };
}

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

export class ParquetFile {
  private constructor(
    readonly path: string,
    private readonly reader: ParquetReader,
  ) {}

  static async open(path: string): Promise<ParquetFile> {
    try {
      await stat(path);
    } catch (cause) {
      throw new MissingError("LEROBOT_FILE_MISSING", "the Parquet file does not exist", { file: path, cause });
    }
    installCodecShims();
    let envelope: ParquetEnvelopeReader | null = null;
    try {
      envelope = await parquet.ParquetEnvelopeReader.openFile(path);
      await envelope.readHeader();
      const metadata: FileMetaData = await envelope.readFooter();
      if (metadata.version !== 1 && metadata.version !== 2) {
        throw new UnsupportedError("PARQUET_VERSION", `Parquet format version ${metadata.version} is not supported (1 and 2 are)`, { file: path });
      }
      metadata.version = 1;
      const reader = await parquet.ParquetReader.openEnvelopeReader(envelope, { metadata });
      for (const field of reader.schema.fieldList) {
        if (!field.isNested && field.primitiveType === "BYTE_ARRAY" && !field.originalType) field.encoding = BINARY_DICTIONARY;
      }
      return new ParquetFile(path, reader);
    } catch (cause) {
      await envelope?.close().catch(() => undefined);
      if (cause instanceof UnsupportedError) throw cause;
      const message = messageOf(cause);
      if (/invalid parquet type/.test(message)) throw new UnsupportedError("PARQUET_TYPE", `a column has a type parquetjs-lite cannot read: ${message}`, { file: path, cause });
      throw new FormatError("PARQUET_UNREADABLE", `not a readable Parquet file: ${message}`, { file: path, cause });
    }
  }

  get numRows(): number {
    return Number(this.reader.metadata.num_rows);
  }

  /** Top-level column names, in schema order. */
  get columns(): string[] {
    return [...new Set(this.reader.schema.fieldList.map((f) => f.path[0] as string))];
  }

  has(column: string): boolean {
    return this.reader.schema.fieldList.some((f) => f.path[0] === column);
  }

  /** Raises MissingError naming the file and the first absent column. */
  require(columns: readonly string[]): void {
    for (const column of columns) {
      if (!this.has(column)) {
        throw new MissingError("PARQUET_MISSING_COLUMN", `column ${JSON.stringify(column)} is missing (the file has ${this.columns.join(", ")})`, { file: this.path, field: column });
      }
    }
  }

  /**
   * Rows [from, to) with only the named top-level columns decoded, as parquetjs-lite records. Whole row groups
   * before `from` are stepped over by their footer row counts without being read.
   */
  async readRows(columns: readonly string[], from = 0, to = this.numRows): Promise<Record<string, unknown>[]> {
    this.require(columns);
    const leaves = this.reader.schema.fieldList.filter((f) => !f.isNested && columns.includes(f.path[0] as string)).map((f) => f.path);
    this.checkReadable(leaves);
    const cursor = this.reader.getCursor(leaves);
    let row = 0;
    for (const group of this.reader.metadata.row_groups) {
      const n = Number(group.num_rows);
      if (row + n > from) break;
      row += n;
      cursor.rowGroupIndex++;
    }
    const out: Record<string, unknown>[] = [];
    while (row < to) {
      let records: Record<string, unknown>[] | null;
      try {
        records = await cursor.nextRowGroup();
      } catch (cause) {
        throw new FormatError("PARQUET_DECODE", `cannot decode the row group starting at row ${row}: ${messageOf(cause)}`, { file: this.path, row, cause });
      }
      if (records === null) break;
      for (const record of records) {
        if (row >= from && row < to) out.push(record);
        row++;
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.reader.close();
  }

  private checkReadable(leaves: string[][]): void {
    const wanted = new Set(leaves.map((p) => p.join(",")));
    for (const group of this.reader.metadata.row_groups) {
      for (const chunk of group.columns) {
        const meta = chunk.meta_data;
        if (!wanted.has(meta.path_in_schema.join(","))) continue;
        const field = meta.path_in_schema[0] as string;
        if (!READABLE_CODECS.has(meta.codec)) {
          const codec = CODEC_NAMES[meta.codec] ?? `codec #${meta.codec}`;
          throw new UnsupportedError(
            "PARQUET_CODEC",
            `column ${JSON.stringify(field)} is compressed with ${codec}, which parquetjs-lite cannot decompress (it reads UNCOMPRESSED, SNAPPY and GZIP); ` +
              `rewrite the file with snappy, e.g. pyarrow.parquet.write_table(table, path, compression="snappy") or DuckDB COPY ... (FORMAT parquet, COMPRESSION snappy)`,
            { file: this.path, field },
          );
        }
        const bad = meta.encodings.find((e) => !READABLE_ENCODINGS.has(e));
        if (bad !== undefined) {
          throw new UnsupportedError(
            "PARQUET_ENCODING",
            `column ${JSON.stringify(field)} uses the ${ENCODING_NAMES[bad] ?? `#${bad}`} encoding, which parquetjs-lite cannot decode (it reads PLAIN, RLE and dictionary pages); rewrite the file with format version 1 pages`,
            { file: this.path, field },
          );
        }
      }
    }
  }
}
