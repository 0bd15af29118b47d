// The parts of parquetjs-lite 0.8.7 that the Parquet VQA reader and writer use (the package ships no types).
declare module "parquetjs-lite" {
  export interface FieldSpec {
    type?: string;
    optional?: boolean;
    repeated?: boolean;
    compression?: string;
    fields?: Record<string, FieldSpec>;
  }
  /** One node of a decoded schema; `fieldList` holds every node, groups and leaves. */
  export interface ParquetField {
    name: string;
    path: string[];
    repetitionType: "REQUIRED" | "OPTIONAL" | "REPEATED";
    isNested?: boolean;
    fields?: Record<string, ParquetField>;
    primitiveType?: string;
    originalType?: string;
  }
  export class ParquetSchema {
    constructor(fields: Record<string, FieldSpec>);
    fields: Record<string, ParquetField>;
    fieldList: ParquetField[];
  }
  export interface ColumnChunk {
    meta_data: { path_in_schema: string[]; codec: number };
  }
  export interface RowGroup {
    num_rows: number | bigint;
    columns: ColumnChunk[];
  }
  export interface ParquetCursor {
    rowGroupIndex: number;
    nextRowGroup(): Promise<Record<string, unknown>[] | null>;
  }
  export class ParquetReader {
    static openFile(path: string): Promise<ParquetReader>;
    metadata: { num_rows: number | bigint; row_groups: RowGroup[] };
    schema: ParquetSchema;
    /** Leaf column paths to read; none (or an empty list) reads every column. */
    getCursor(columns?: string[][]): ParquetCursor;
    close(): Promise<void>;
  }
  export class ParquetWriter {
    static openFile(schema: ParquetSchema, path: string, options?: { rowGroupSize?: number }): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    setMetadata(key: string, value: string): void;
    close(): Promise<void>;
  }
  const parquet: { ParquetSchema: typeof ParquetSchema; ParquetWriter: typeof ParquetWriter; ParquetReader: typeof ParquetReader };
  export default parquet;
}
