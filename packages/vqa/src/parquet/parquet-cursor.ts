import { basename } from "node:path";
import type { ParquetCursor, ParquetReader } from "parquetjs-lite";
import { FormatError, StateError, UnsupportedError, isInt, openParquetReader, stateField } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";
import type { RawRecord, RecordCursor } from "../record-cursor.js";
import { detectLayout, leafPaths } from "./parquet-layout.js";
import type { ParquetLayout, ParquetVqaColumns } from "./parquet-layout.js";

/** Parquet's CompressionCodec enum; parquetjs-lite inflates the first three only. */
const CODECS = ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"];
const READABLE = new Set([0, 1, 2]);

export interface ParquetRecord {
  row: Record<string, unknown>;
  layout: ParquetLayout;
  /** File name, for ids made up from the row number when the table has no id column. */
  name: string;
}

/**
 * Rows of one or more Parquet files, in order, one row group in memory at a time. Position = `{file, name, row,
 * index}`: the file's number in the sorted list (and its name, checked on restore), the row within it, and the
 * global row index (what sharding counts). A seek skips whole row groups by their metadata row counts without
 * decoding them, then the rows before `row` in the group it lands in.
 *
 * File lifetime: one file is open at a time; it is closed when its rows run out, on an error, by `close()`, or (a
 * cursor dropped mid-file) when its reader is garbage-collected (core's `openParquetReader`).
 */
export class ParquetRowCursor implements RecordCursor<ParquetRecord> {
  private reader: ParquetReader | null = null;
  private cursor: ParquetCursor | null = null;
  private layout: ParquetLayout | null = null;
  private rows: Record<string, unknown>[] = [];
  private next_ = 0; // next index into `rows`
  private fileIndex = 0;
  private row = 0; // next row within the file
  private index = 0; // next global row
  private pending: { file: number; row: number; index: number } | null = { file: 0, row: 0, index: 0 };

  constructor(private readonly files: readonly string[], private readonly columns: ParquetVqaColumns, private readonly path: string) {}

  async next(): Promise<RawRecord<ParquetRecord> | null> {
    try {
      return await this.read();
    } catch (error) {
      // Hold no file after an error; a retry reopens the file at the same row (and meets the same error).
      const at = { file: this.fileIndex, row: this.row, index: this.index };
      await this.closeFile().catch(() => undefined);
      this.pending ??= at;
      throw error;
    }
  }

  private async read(): Promise<RawRecord<ParquetRecord> | null> {
    if (this.pending !== null) await this.applySeek(this.pending);
    for (;;) {
      if (this.fileIndex >= this.files.length) return null;
      if (this.reader === null) await this.openFile(0);
      if (this.next_ < this.rows.length) {
        const value = this.rows[this.next_++] as Record<string, unknown>;
        const file = this.files[this.fileIndex] as string;
        const record = { index: this.index, where: { file, row: this.row }, value: { row: value, layout: this.layout as ParquetLayout, name: basename(file) } };
        this.row++;
        this.index++;
        return record;
      }
      if (!(await this.loadGroup())) {
        await this.closeFile();
        this.fileIndex++;
        this.row = 0;
      }
    }
  }

  position(): JsonValue {
    const at = this.pending ?? { file: this.fileIndex, row: this.row, index: this.index };
    return { file: at.file, name: this.files[at.file] === undefined ? null : basename(this.files[at.file] as string), row: at.row, index: at.index };
  }

  seek(position: JsonValue): void {
    const file = stateField<number>(position, "file", isInt, "openParquetVqa");
    const row = stateField<number>(position, "row", isInt, "openParquetVqa");
    const index = stateField<number>(position, "index", isInt, "openParquetVqa");
    const name = stateField<string | null>(position, "name", (v) => v === null || typeof v === "string", "openParquetVqa");
    const expected = this.files[file] === undefined ? null : basename(this.files[file] as string);
    if (file > this.files.length || name !== expected) {
      throw new StateError("PARQUET_STATE_FILES_CHANGED", `the state points at file ${file} (${JSON.stringify(name)}), but that file is now ${JSON.stringify(expected)}`, { file: this.path });
    }
    this.pending = { file, row, index };
  }

  rewind(): void {
    this.pending = { file: 0, row: 0, index: 0 };
  }

  async close(): Promise<void> {
    await this.closeFile();
  }

  readonly kind = "parquetVqa";
  get label(): string {
    return this.files.length === 1 ? this.path : `${this.path} (${this.files.length} files)`;
  }

  private async applySeek(at: { file: number; row: number; index: number }): Promise<void> {
    this.pending = null;
    await this.closeFile();
    this.fileIndex = at.file;
    this.index = at.index;
    this.row = at.row;
    if (this.fileIndex < this.files.length) await this.openFile(at.row);
  }

  private async openFile(skip: number): Promise<void> {
    const file = this.files[this.fileIndex] as string;
    let reader: ParquetReader;
    try {
      reader = await openParquetReader(file);
    } catch (cause) {
      throw new FormatError("PARQUET_UNREADABLE", `not a readable Parquet file: ${String((cause as Error)?.message ?? cause)}`, { file, cause });
    }
    try {
      const layout = detectLayout(reader.schema, this.columns, file);
      const paths = leafPaths(reader.schema, layout);
      const used = new Set(paths.map((p) => p.join(".")));
      for (const group of reader.metadata.row_groups) {
        for (const chunk of group.columns) {
          const { codec, path_in_schema: path } = chunk.meta_data;
          if (used.has(path.join(".")) && !READABLE.has(codec)) {
            throw new UnsupportedError("PARQUET_CODEC", `column ${path.join(".")} is compressed with ${CODECS[codec] ?? `codec ${codec}`}, which parquetjs-lite cannot read (it reads uncompressed, snappy and gzip); rewrite the file with snappy`, { file, field: path.join(".") });
          }
        }
      }
      this.layout = layout;
      this.cursor = reader.getCursor(paths);
    } catch (error) {
      await reader.close();
      throw error;
    }
    this.reader = reader;
    this.rows = [];
    this.next_ = 0;
    // Whole row groups before `skip` are stepped over by their row counts, without being read.
    let start = 0;
    for (const group of reader.metadata.row_groups) {
      const n = Number(group.num_rows);
      if (start + n > skip) break;
      start += n;
      this.cursor.rowGroupIndex++;
    }
    if (skip > start) {
      if (!(await this.loadGroup())) throw new StateError("PARQUET_STATE_ROW", `row ${skip} is past the end of the file`, { file, row: skip });
      this.next_ = skip - start;
    }
  }

  private async loadGroup(): Promise<boolean> {
    const file = this.files[this.fileIndex] as string;
    const cursor = this.cursor as ParquetCursor;
    let group: Record<string, unknown>[] | null;
    try {
      group = await cursor.nextRowGroup();
    } catch (cause) {
      throw new FormatError("PARQUET_UNREADABLE", `cannot decode row group ${cursor.rowGroupIndex}: ${String((cause as Error)?.message ?? cause)}`, { file, row: this.row, cause });
    }
    if (group === null) return false;
    this.rows = group;
    this.next_ = 0;
    return true;
  }

  private async closeFile(): Promise<void> {
    const reader = this.reader;
    this.reader = null;
    this.cursor = null;
    this.rows = [];
    this.next_ = 0;
    await reader?.close();
  }
}
