import { stat } from "node:fs/promises";
import parquet from "parquetjs-lite";
import type { FileMetaData, ParquetEnvelopeReader, ParquetReader } from "parquetjs-lite";
import codecs from "parquetjs-lite/lib/codec/index.js";
import { FormatError, MissingError, UnsupportedError, openParquetEnvelope } from "@cotrain/core";

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
// BIT_PACKED is accepted because some writers list it for levels they never encode with it; a page that really
// uses it fails to decode and is reported as a FormatError naming its row group.
const READABLE_ENCODINGS = new Set([0, 2, 3, 4, 8]);
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

/** The most recently used decoded row groups (as promises, so concurrent readers of one group share its decode). */
export class RowGroupCache {
  private readonly entries = new Map<string, Promise<Record<string, unknown>[]>>();

  constructor(private readonly capacity = 2) {}

  get(key: string, load: () => Promise<Record<string, unknown>[]>): Promise<Record<string, unknown>[]> {
    let entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
    } else {
      entry = load();
      entry.catch(() => this.entries.delete(key));
    }
    this.entries.set(key, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return entry;
  }
}

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
      // Core's envelope: its descriptor is closed even if this file is dropped unclosed (see RandomAccessFile).
      envelope = await openParquetEnvelope(path);
      await envelope.readHeader();
      const metadata: FileMetaData = await envelope.readFooter();
      if (metadata.version !== 1 && metadata.version !== 2) {
        throw new UnsupportedError("PARQUET_VERSION", `Parquet format version ${metadata.version} is not supported (1 and 2 are)`, { file: path });
      }
      metadata.version = 1;
      // Column statistics are never used here; leaving them raw skips decoding every one of them at open.
      const reader = await parquet.ParquetReader.openEnvelopeReader(envelope, { metadata, rawStatistics: true });
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
   * Rows [from, to) with only the named top-level columns decoded (and of those, only the leaves `keepLeaf`
   * accepts), as parquetjs-lite records. Only the row groups overlapping the range are decoded. A row group that
   * also holds rows outside the range (a v3.0 file packs many episodes into one) goes through `cache`, so the
   * next episode in the same group does not decode it again.
   */
  async readRows(columns: readonly string[], from = 0, to = this.numRows, keepLeaf: (path: string[]) => boolean = () => true, cache?: RowGroupCache): Promise<Record<string, unknown>[]> {
    this.require(columns);
    const leaves = this.reader.schema.fieldList.filter((f) => !f.isNested && columns.includes(f.path[0] as string) && keepLeaf(f.path)).map((f) => f.path);
    this.checkReadable(leaves);
    const out: Record<string, unknown>[] = [];
    let start = 0;
    for (const [index, group] of this.reader.metadata.row_groups.entries()) {
      const end = start + Number(group.num_rows);
      if (end > from && start < to) {
        const partial = start < from || end > to;
        const load = () => this.decodeGroup(leaves, index, start);
        const records = partial && cache ? await cache.get(`${this.path}\u0000${index}\u0000${leaves.join(";")}`, load) : await load();
        for (let row = Math.max(start, from); row < Math.min(end, to); row++) out.push(records[row - start] as Record<string, unknown>);
      }
      start = end;
    }
    return out;
  }

  private async decodeGroup(leaves: string[][], index: number, firstRow: number): Promise<Record<string, unknown>[]> {
    const cursor = this.reader.getCursor(leaves);
    cursor.rowGroupIndex = index;
    try {
      return (await cursor.nextRowGroup()) ?? [];
    } catch (cause) {
      throw new FormatError("PARQUET_DECODE", `cannot decode the row group starting at row ${firstRow}: ${messageOf(cause)}`, { file: this.path, row: firstRow, cause });
    }
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
