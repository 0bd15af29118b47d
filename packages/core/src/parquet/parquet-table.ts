import { parquetMetadata, parquetRead, parquetSchema } from "hyparquet";
import type { ColumnMetaData, CompressionCodec, FileMetaData, SchemaTree } from "hyparquet";
import { CotrainError, FormatError, MissingError, TruncatedError, UnsupportedError } from "../errors.js";
import { isNotFound, openByteSource } from "../files/open-location.js";
import { readExactly } from "./source-bytes.js";
import type { ParquetByteSource } from "./source-bytes.js";
import { isReadableCodec, prepareCodecs } from "./codecs.js";
import { CheckedChunks } from "./checked-chunks.js";
import { chunkRange, findPageFault } from "./page-check.js";
import type { ChunkCheck, ChunkFacts } from "./page-check.js";
import type { RowGroupCache } from "./row-group-cache.js";

/** One row group: its number, the file row it starts at, and its row count. */
export interface ParquetRowGroup {
  index: number;
  firstRow: number;
  rows: number;
}

/** How a top-level column's values come back: arrays, plain objects (structs and maps), or scalars. */
export type ParquetColumnKind = "list" | "struct" | "map" | "value";

const MAGIC = 0x31524150; // "PAR1", little-endian
const ENCRYPTED_MAGIC = 0x45524150; // "PARE"

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** String columns decoded strictly: bytes that are not UTF-8 are an error (as in DuckDB), never U+FFFD. */
function stringFromBytes(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    throw new Error(`a value of a string column is not valid UTF-8 (${bytes.length} bytes)`);
  }
}

/**
 * A Parquet file, read through hyparquet from a `ParquetByteSource`: every physical type, nested lists and
 * structs, data pages v1 and v2, the PLAIN, dictionary (PLAIN_/RLE_DICTIONARY), RLE, DELTA_* and BYTE_STREAM_SPLIT
 * encodings, and the UNCOMPRESSED, SNAPPY, GZIP, BROTLI, ZSTD, LZ4 and LZ4_RAW codecs (see `codecs.ts`). Shards,
 * LeRobot and Parquet VQA all read Parquet through this class.
 *
 * Values: lists are arrays (null for a null list), structs plain objects, BYTE_ARRAY a Uint8Array unless the
 * column is annotated as a string (so dictionary-encoded image bytes stay bytes), INT64 a bigint.
 *
 * Validation: the footer is checked before anything is decoded (magic, length, every column chunk inside the
 * file and of its schema leaf's type). Before hyparquet decodes a row group, the column chunks it needs are read and
 * walked page by page (see page-check.ts): a page that could make the decode loop, allocate by a corrupt count or
 * yield values other than the file's is refused before it runs, naming the page. Every error is a CotrainError with
 * the file, the row group's first row, the column path and, for a page, its offset.
 */
export class ParquetTable {
  readonly rowGroups: readonly ParquetRowGroup[];
  private readonly schema: SchemaTree;

  private constructor(
    /** The file's path (or, for another byte source, the name errors give). */
    readonly name: string,
    private readonly source: ParquetByteSource,
    private readonly metadata: FileMetaData,
    /** What the page checks need to know of each leaf column, by its path joined with NUL. */
    private readonly leaves: ReadonlyMap<string, ChunkFacts>,
  ) {
    this.schema = parquetSchema(metadata);
    let firstRow = 0;
    this.rowGroups = metadata.row_groups.map((group, index) => {
      const rows = Number(group.num_rows);
      const entry = { index, firstRow, rows };
      firstRow += rows;
      return entry;
    });
  }

  /**
   * Opens a local file, or a URL through core's remote layer (the footer and each column chunk are then ranged reads
   * under the on-disk cache). A missing file is a MissingError (`PARQUET_FILE_MISSING`).
   */
  static async open(path: string): Promise<ParquetTable> {
    let file: ParquetByteSource;
    try {
      file = await openByteSource(path);
    } catch (cause) {
      if (isNotFound(cause)) throw new MissingError("PARQUET_FILE_MISSING", "the Parquet file does not exist", { file: path, cause });
      if (cause instanceof CotrainError) throw cause; // a RemoteError: the server, not the file, failed
      throw new FormatError("PARQUET_UNREADABLE", `cannot open the file: ${messageOf(cause)}`, { file: path, cause });
    }
    return ParquetTable.fromSource(file, path);
  }

  /** Reads the footer of `source` (which the table then owns and closes); `name` is what errors call the file. */
  static async fromSource(source: ParquetByteSource, name: string): Promise<ParquetTable> {
    try {
      const { metadata, leaves } = await readFooter(source, name);
      return new ParquetTable(name, source, metadata, leaves);
    } catch (error) {
      await source.close().catch(() => undefined);
      throw error;
    }
  }

  get numRows(): number {
    return Number(this.metadata.num_rows);
  }

  /** Top-level column names, in schema order. */
  get columns(): string[] {
    return this.schema.children.map((c) => c.element.name);
  }

  has(column: string): boolean {
    return this.schema.children.some((c) => c.element.name === column);
  }

  /** Raises MissingError (`PARQUET_MISSING_COLUMN`) naming the file and the first absent column. */
  require(columns: readonly string[]): void {
    for (const column of columns) {
      if (!this.has(column)) {
        throw new MissingError("PARQUET_MISSING_COLUMN", `column ${JSON.stringify(column)} is missing (the file has ${this.columns.join(", ")})`, { file: this.name, field: column });
      }
    }
  }

  /** The shape a top-level column's values take; undefined when there is no such column. */
  columnKind(column: string): ParquetColumnKind | undefined {
    const node = this.schema.children.find((c) => c.element.name === column);
    if (node === undefined) return undefined;
    const { element, children } = node;
    const annotation = element.logical_type?.type ?? element.converted_type;
    if (element.repetition_type === "REPEATED" || annotation === "LIST") return "list";
    if (annotation === "MAP" || annotation === "MAP_KEY_VALUE") return "map";
    if (children.length === 0) return "value";
    // An unannotated group whose only child repeats is a legacy 2-level list.
    return children.length === 1 && children[0]?.element.repetition_type === "REPEATED" ? "list" : "struct";
  }

  /**
   * Rows [from, to) with only the named top-level columns decoded (all columns when `columns` is undefined). Only
   * the row groups overlapping the range are read. A row group that also holds rows outside the range goes
   * through `cache` when one is given, so the next range in the same group does not decode it again.
   */
  async readRows(columns?: readonly string[], from = 0, to = this.numRows, cache?: RowGroupCache): Promise<Record<string, unknown>[]> {
    const names = columns ?? this.columns;
    await this.prepare(names);
    const out: Record<string, unknown>[] = [];
    for (const group of this.rowGroups) {
      const end = group.firstRow + group.rows;
      if (end <= from || group.firstRow >= to) continue;
      const lo = Math.max(from, group.firstRow);
      const hi = Math.min(to, end);
      if (cache && (lo > group.firstRow || hi < end)) {
        const rows = await cache.get(`${this.name}\u0000${group.index}\u0000${names.join("\u0000")}`, () => this.decode(group, names, group.firstRow, end));
        for (let row = lo; row < hi; row++) out.push(rows[row - group.firstRow] as Record<string, unknown>);
      } else {
        for (const row of await this.decode(group, names, lo, hi)) out.push(row);
      }
    }
    return out;
  }

  /** All rows of row group `index`, with only the named top-level columns (all when undefined). */
  async readRowGroup(index: number, columns?: readonly string[]): Promise<Record<string, unknown>[]> {
    const group = this.rowGroups[index];
    if (group === undefined) throw new RangeError(`row group ${index} does not exist (the file has ${this.rowGroups.length})`);
    const names = columns ?? this.columns;
    await this.prepare(names);
    return this.decode(group, names, group.firstRow, group.firstRow + group.rows);
  }

  close(): Promise<void> {
    return this.source.close();
  }

  /** Checks that the columns exist and their codecs are readable, and readies the codecs they use. */
  private async prepare(columns: readonly string[]): Promise<void> {
    this.require(columns);
    const codecs = new Set<CompressionCodec>();
    for (const [index, group] of this.metadata.row_groups.entries()) {
      for (const chunk of group.columns) {
        const meta = chunk.meta_data as ColumnMetaData;
        if (!columns.includes(meta.path_in_schema[0] as string)) continue;
        if (!isReadableCodec(meta.codec)) {
          throw new UnsupportedError(
            "PARQUET_CODEC",
            `${this.where(index)}, column ${meta.path_in_schema.join(".")}: compressed with ${meta.codec}, which this reader does not decompress (it reads UNCOMPRESSED, SNAPPY, GZIP, BROTLI, ZSTD, LZ4 and LZ4_RAW); rewrite the file with another codec, e.g. zstd or snappy`,
            { file: this.name, row: this.rowGroups[index]?.firstRow, field: meta.path_in_schema.join(".") },
          );
        }
        codecs.add(meta.codec);
      }
    }
    await prepareCodecs(codecs);
  }

  private async decode(group: ParquetRowGroup, columns: readonly string[], rowStart: number, rowEnd: number): Promise<Record<string, unknown>[]> {
    const checked = await this.check(group, columns);
    // hyparquet skips the pages before `rowStart` by their headers' row counts; where one is off, it decodes them.
    const from = checked.rowCountDiffers ? group.firstRow : rowStart;
    let rows: Record<string, unknown>[] = [];
    try {
      await parquetRead({
        file: checked.asyncBuffer(this.source, this.name),
        metadata: this.metadata,
        columns: [...columns],
        rowStart: from,
        rowEnd,
        rowFormat: "object",
        utf8: false,
        // The offset index is a second, unchecked account of the pages; the checked chunks are read whole instead.
        useOffsetIndex: false,
        compressors: checked.compressors(),
        parsers: { stringFromBytes },
        onComplete: (result) => (rows = result),
      });
    } catch (cause) {
      throw this.decodeError(group, columns, cause);
    }
    if (rows.length !== rowEnd - from) {
      throw new FormatError("PARQUET_DECODE", `${this.where(group.index)}: decoded ${rows.length} rows where ${rowEnd - from} were asked for`, { file: this.name, row: group.firstRow });
    }
    return from === rowStart ? rows : rows.slice(rowStart - from);
  }

  /**
   * Reads the column chunks of `group` that `columns` need and checks them page by page before anything decodes
   * them; the first bad page is a FormatError (`PARQUET_PAGE`) naming the row group, column, page and byte offset.
   */
  private async check(group: ParquetRowGroup, columns: readonly string[]): Promise<CheckedChunks> {
    const checked = new CheckedChunks();
    for (const chunk of this.metadata.row_groups[group.index]?.columns ?? []) {
      const meta = chunk.meta_data as ColumnMetaData;
      if (!columns.includes(meta.path_in_schema[0] as string)) continue;
      const { start, end } = chunkRange(meta);
      const bytes = await readExactly(this.source, this.name, start, end - start);
      const facts = this.leaves.get(meta.path_in_schema.join("\u0000")) as ChunkFacts;
      const found: ChunkCheck = { pages: [], rowCountDiffers: false };
      const fault = findPageFault(bytes, start, meta, facts, group.rows, found);
      if (fault !== null) {
        const field = meta.path_in_schema.join(".");
        const page = fault.page < 0 ? "" : `, page ${fault.page} (at byte ${fault.offset})`;
        throw new FormatError("PARQUET_PAGE", `${this.where(group.index)}, column ${field}${page}: ${fault.message}`, { file: this.name, offset: fault.offset, row: group.firstRow, field });
      }
      checked.add(start, bytes, found);
    }
    return checked;
  }

  /** The typed error for a row group whose checked pages still failed to decode. */
  private decodeError(group: ParquetRowGroup, columns: readonly string[], cause: unknown): CotrainError {
    if (cause instanceof CotrainError) return cause;
    const message = messageOf(cause);
    const names = columns.join(", ");
    if (/unsupported|not supported/i.test(message)) {
      return new UnsupportedError("PARQUET_UNSUPPORTED", `${this.where(group.index)}, columns ${names}: ${message}`, { file: this.name, row: group.firstRow, cause });
    }
    return new FormatError("PARQUET_DECODE", `${this.where(group.index)}, columns ${names}: cannot decode (${message})`, { file: this.name, row: group.firstRow, cause });
  }

  private where(index: number): string {
    const group = this.rowGroups[index] as ParquetRowGroup;
    return `row group ${index} (rows ${group.firstRow}–${group.firstRow + group.rows - 1})`;
  }
}

/** Parses and checks the footer: magic at both ends, a footer length inside the file, every chunk inside the data. */
async function readFooter(source: ParquetByteSource, name: string): Promise<{ metadata: FileMetaData; leaves: Map<string, ChunkFacts> }> {
  const size = source.size;
  const head = size >= 4 ? new DataView((await readExactly(source, name, 0, 4)).buffer).getUint32(0, true) : 0;
  if (size < 12) {
    if (head === MAGIC) throw new TruncatedError("PARQUET_TRUNCATED", `the file starts as Parquet but holds only ${size} bytes, less than magic, footer length and magic`, { file: name, offset: size });
    throw new FormatError("PARQUET_NOT_PARQUET", `not a Parquet file: ${size} bytes, too short for one`, { file: name, offset: 0 });
  }
  const tail = new DataView((await readExactly(source, name, size - 8, 8)).buffer);
  const magic = tail.getUint32(4, true);
  if (magic === ENCRYPTED_MAGIC) throw new UnsupportedError("PARQUET_ENCRYPTED", "the file has an encrypted footer, which this reader does not decrypt", { file: name });
  if (magic !== MAGIC) {
    if (head === MAGIC) {
      throw new TruncatedError("PARQUET_TRUNCATED", `the file starts as Parquet but its last 4 bytes are not the footer magic PAR1: it was cut short (or is still being written) at ${size} bytes`, { file: name, offset: size });
    }
    throw new FormatError("PARQUET_NOT_PARQUET", "not a Parquet file: it neither starts nor ends with the magic PAR1", { file: name, offset: 0 });
  }
  const length = tail.getUint32(0, true);
  const footerStart = size - 8 - length;
  if (footerStart < 4) {
    throw new FormatError("PARQUET_FOOTER", `the footer length ${length} is more than the ${size - 12} bytes between the magics: the file was cut short or the length is corrupt`, { file: name, offset: size - 8 });
  }
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(await readExactly(source, name, footerStart, length + 8));
  } catch (cause) {
    throw new FormatError("PARQUET_FOOTER", `the footer (bytes ${footerStart}–${size - 9}) does not parse: ${messageOf(cause)}`, { file: name, offset: footerStart, cause });
  }
  const leaves = schemaLeaves(metadata, name, footerStart);
  let rows = 0n;
  for (const [index, group] of metadata.row_groups.entries()) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta === undefined || chunk.file_path !== undefined) {
        throw new UnsupportedError("PARQUET_COLUMN_CHUNK", `row group ${index} has a column chunk ${meta === undefined ? "without metadata (an encrypted column?)" : `stored in another file (${chunk.file_path})`}`, { file: name, offset: footerStart });
      }
      const { start, end } = chunkRange(meta);
      if (start < 4 || end > footerStart || end < start) {
        throw new FormatError("PARQUET_FOOTER", `row group ${index}, column ${meta.path_in_schema.join(".")}: the footer places the column chunk at bytes ${start}–${end - 1}, outside the data (bytes 4–${footerStart - 1})`, { file: name, offset: start, field: meta.path_in_schema.join(".") });
      }
    }
    // A chunk the schema does not name would be read and never awaited by hyparquet: its failure would escape as
    // an unhandled rejection instead of this file's error.
    for (const chunk of group.columns) {
      const meta = chunk.meta_data as NonNullable<typeof chunk.meta_data>;
      const path = meta.path_in_schema;
      const leaf = Array.isArray(path) ? leaves.get(path.join("\u0000")) : undefined;
      if (leaf === undefined) {
        throw new FormatError("PARQUET_FOOTER", `row group ${index} has a column chunk for ${JSON.stringify(path)}, which is not a leaf of the file's schema`, { file: name, offset: footerStart });
      }
      // hyparquet decodes a chunk by the type its metadata gives, so one that disagrees with the schema would read
      // its bytes as another type.
      if (meta.type !== leaf.type) {
        throw new FormatError("PARQUET_FOOTER", `row group ${index}, column ${path.join(".")}: the column chunk says ${meta.type}, but the schema says ${leaf.type}`, { file: name, offset: footerStart, field: path.join(".") });
      }
      // An enum value the format does not define reads as undefined in hyparquet; DuckDB refuses the footer.
      if (meta.encodings?.some((e) => e === undefined) || meta.encoding_stats?.some((e) => e.page_type === undefined || e.encoding === undefined)) {
        throw new FormatError("PARQUET_FOOTER", `row group ${index}, column ${path.join(".")}: its metadata lists an encoding or page type the format does not define`, { file: name, offset: footerStart, field: path.join(".") });
      }
      if (!(typeof meta.num_values === "bigint" || Number.isSafeInteger(meta.num_values)) || meta.num_values < 0 || Number(meta.num_values) > Number.MAX_SAFE_INTEGER) {
        throw new FormatError("PARQUET_FOOTER", `row group ${index}, column ${path.join(".")}: its value count ${String(meta.num_values)} is not a count`, { file: name, offset: footerStart, field: path.join(".") });
      }
    }
    if (typeof group.num_rows !== "bigint" && !Number.isSafeInteger(group.num_rows)) {
      throw new FormatError("PARQUET_FOOTER", `row group ${index} has no valid row count (${String(group.num_rows)})`, { file: name, offset: footerStart });
    }
    rows += BigInt(group.num_rows);
  }
  if (rows !== BigInt(typeof metadata.num_rows === "bigint" || Number.isSafeInteger(metadata.num_rows) ? metadata.num_rows : -1)) {
    throw new FormatError("PARQUET_FOOTER", `the footer counts ${metadata.num_rows} rows, but its row groups hold ${rows}`, { file: name, offset: footerStart });
  }
  return { metadata, leaves };
}

/**
 * The schema's leaf columns by path (joined by NUL), with what the page checks need of each: its physical type and
 * its maximum definition and repetition levels (by the spec: one per non-REQUIRED, resp. REPEATED, field on the
 * path below the root). A schema that does not form a tree, or a fixed-length type without a length, is a footer
 * error.
 */
function schemaLeaves(metadata: FileMetaData, name: string, footerStart: number): Map<string, ChunkFacts> {
  const leaves = new Map<string, ChunkFacts>();
  const fail = (message: string, cause?: unknown) => new FormatError("PARQUET_FOOTER", `the footer's schema ${message}`, { file: name, offset: footerStart, cause });
  let tree: SchemaTree;
  try {
    tree = parquetSchema(metadata);
  } catch (cause) {
    throw fail(`is not a valid tree: ${messageOf(cause)}`, cause);
  }
  const walk = (node: SchemaTree, maxDefinition: number, maxRepetition: number): void => {
    const repetition = node.element.repetition_type;
    const definition = maxDefinition + (repetition === "REQUIRED" ? 0 : 1);
    const repeated = maxRepetition + (repetition === "REPEATED" ? 1 : 0);
    if (node.children.length > 0) {
      for (const child of node.children) walk(child, definition, repeated);
      return;
    }
    const { type, type_length: typeLength } = node.element;
    if (type === undefined) throw fail(`gives the leaf ${node.path.join(".")} no type`);
    if (type === "FIXED_LEN_BYTE_ARRAY" && !(Number.isSafeInteger(typeLength) && (typeLength as number) > 0)) throw fail(`gives the fixed-length leaf ${node.path.join(".")} the length ${typeLength}`);
    leaves.set(node.path.join("\u0000"), { type, typeLength, maxDefinition: definition, maxRepetition: repeated });
  };
  for (const child of tree.children) walk(child, 0, 0);
  return leaves;
}
