import { basename } from "node:path";
import { ParquetTable, StateError, isInt, stateField } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";
import type { RawRecord, RecordCursor } from "../record-cursor.js";
import { detectLayout, usedColumns } from "./parquet-layout.js";
import type { ParquetLayout, ParquetVqaColumns } from "./parquet-layout.js";

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
 * cursor dropped mid-file) when its descriptor is garbage-collected (core's `ParquetTable` over a RandomAccessFile).
 */
export class ParquetRowCursor implements RecordCursor<ParquetRecord> {
  private table: ParquetTable | null = null;
  private layout: ParquetLayout | null = null;
  private used: string[] = [];
  private group = 0; // next row group to load
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
      if (this.table === null) await this.openFile(0);
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
    const table = await ParquetTable.open(file);
    try {
      this.layout = detectLayout(table, this.columns, file);
    } catch (error) {
      await table.close();
      throw error;
    }
    this.table = table;
    this.used = usedColumns(this.layout);
    this.rows = [];
    this.next_ = 0;
    // Whole row groups before `skip` are stepped over by their row counts, without being read.
    const at = table.rowGroups.findIndex((g) => g.firstRow + g.rows > skip);
    this.group = at < 0 ? table.rowGroups.length : at;
    const start = table.rowGroups[this.group]?.firstRow ?? table.numRows;
    if (skip > start) {
      if (!(await this.loadGroup())) throw new StateError("PARQUET_STATE_ROW", `row ${skip} is past the end of the file`, { file, row: skip });
      this.next_ = skip - start;
    }
  }

  private async loadGroup(): Promise<boolean> {
    const table = this.table as ParquetTable;
    if (this.group >= table.rowGroups.length) return false;
    this.rows = await table.readRowGroup(this.group++, this.used);
    this.next_ = 0;
    return true;
  }

  private async closeFile(): Promise<void> {
    const table = this.table;
    this.table = null;
    this.rows = [];
    this.next_ = 0;
    await table?.close();
  }
}
