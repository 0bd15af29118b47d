// The parts of parquetjs-lite 0.8.7 that cotrain uses (the package ships no types): its writer, for core's Parquet
// shards, robot's LeRobot writer and vqa's writeParquetVqa (reading is core's ParquetTable, on hyparquet). One
// declaration for all three, included by their tsconfig.json.
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
  };
  export default parquet;
}
