// The parts of parquetjs-lite 0.8.7 that core uses (the package ships no types).
declare module "parquetjs-lite" {
  export interface FieldSpec {
    type?: string;
    optional?: boolean;
    repeated?: boolean;
    compression?: string;
    fields?: Record<string, FieldSpec>;
  }
  export class ParquetSchema {
    constructor(fields: Record<string, FieldSpec>);
  }
  export class ParquetWriter {
    static openFile(schema: ParquetSchema, path: string, options?: { rowGroupSize?: number }): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    setMetadata(key: string, value: string): void;
    setRowGroupSize(count: number): void;
    close(): Promise<void>;
  }
  export interface ParquetCursor {
    rowGroupIndex: number;
    next(): Promise<Record<string, unknown> | null>;
    nextRowGroup(): Promise<Record<string, unknown>[] | null>;
  }
  export class ParquetReader {
    static openFile(path: string): Promise<ParquetReader>;
    metadata: { num_rows: number | bigint; row_groups: { num_rows: number | bigint }[] };
    getCursor(columns?: string[]): ParquetCursor;
    getRowCount(): number | bigint;
    getMetadata(): Record<string, string>;
    close(): Promise<void>;
  }
  const parquet: { ParquetSchema: typeof ParquetSchema; ParquetWriter: typeof ParquetWriter; ParquetReader: typeof ParquetReader };
  export default parquet;
}
