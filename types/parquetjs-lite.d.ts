// The parts of parquetjs-lite 0.8.7 that cotrain uses (the package ships no types): core's shard writer/reader,
// the LeRobot reader/writer (robot) and the Parquet VQA reader/writer (vqa). One declaration for all three,
// included by their tsconfig.json.
declare module "parquetjs-lite" {
  export interface FieldSpec {
    type?: string;
    optional?: boolean;
    repeated?: boolean;
    compression?: string;
    fields?: Record<string, FieldSpec>;
  }
  /** One node of a decoded schema; `fieldList` holds every node, groups and leaves, by reference. */
  export interface ParquetField {
    name: string;
    path: string[];
    repetitionType: "REQUIRED" | "OPTIONAL" | "REPEATED";
    isNested?: boolean;
    fields?: Record<string, ParquetField>;
    primitiveType?: string;
    originalType?: string;
    encoding?: string;
  }
  export class ParquetSchema {
    constructor(fields: Record<string, FieldSpec>);
    fields: Record<string, ParquetField>;
    fieldList: ParquetField[];
  }
  export interface ColumnChunk {
    meta_data: { path_in_schema: string[]; codec: number; encodings: number[] };
  }
  export interface RowGroup {
    num_rows: number | bigint;
    columns: ColumnChunk[];
  }
  export interface FileMetaData {
    version: number;
    num_rows: number | bigint;
    row_groups: RowGroup[];
  }
  export class ParquetEnvelopeReader {
    /** `read` must resolve with exactly `length` bytes; `close` releases whatever `read` uses. */
    constructor(read: (offset: number, length: number) => Promise<Buffer>, close: () => Promise<void>, fileSize: number, options?: Record<string, unknown>);
    static openFile(path: string): Promise<ParquetEnvelopeReader>;
    readHeader(): Promise<void>;
    readFooter(): Promise<FileMetaData>;
    close(): Promise<void>;
  }
  export interface ParquetCursor {
    rowGroupIndex: number;
    next(): Promise<Record<string, unknown> | null>;
    nextRowGroup(): Promise<Record<string, unknown>[] | null>;
  }
  export class ParquetReader {
    static openFile(path: string): Promise<ParquetReader>;
    /** Without `options.metadata` it reads the header and footer itself (and closes the envelope if they are bad). */
    static openEnvelopeReader(envelope: ParquetEnvelopeReader, options?: { metadata: FileMetaData; rawStatistics?: boolean }): Promise<ParquetReader>;
    metadata: FileMetaData;
    schema: ParquetSchema;
    /** Leaf column paths to read; none (or an empty list) reads every column. */
    getCursor(columns?: string[][] | string[]): ParquetCursor;
    getRowCount(): number | bigint;
    getMetadata(): Record<string, string>;
    close(): Promise<void>;
  }
  export class ParquetWriter {
    static openFile(schema: ParquetSchema, path: string, options?: { rowGroupSize?: number }): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    setMetadata(key: string, value: string): void;
    setRowGroupSize(count: number): void;
    close(): Promise<void>;
  }
  const parquet: {
    ParquetSchema: typeof ParquetSchema;
    ParquetWriter: typeof ParquetWriter;
    ParquetReader: typeof ParquetReader;
    ParquetEnvelopeReader: typeof ParquetEnvelopeReader;
  };
  export default parquet;
}

// The value codecs parquetjs-lite's reader looks up by encoding name (lib/codec/index.js).
declare module "parquetjs-lite/lib/codec/index.js" {
  export interface ValueCodec {
    decodeValues(type: string, cursor: { buffer: Buffer; offset: number; size?: number }, count: number, options: Record<string, unknown>): unknown[];
  }
  const codecs: Record<string, ValueCodec>;
  export default codecs;
}
