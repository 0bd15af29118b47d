// DuckDB as the independent reader of mutated Parquet files (a separate engine, C++, not parquetjs or our reader).
import { DuckDBInstance } from "@duckdb/node-api";

let connection = null;

/** Every row of a Parquet file as plain JS (lists as arrays, BLOBs as Uint8Array), in file order; null if DuckDB refuses it. */
export async function duckRows(path) {
  connection ??= await (await DuckDBInstance.create(":memory:", { threads: "1" })).connect();
  try {
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${path.replaceAll("'", "''")}')`);
    return reader.getRowObjectsJS();
  } catch {
    return null;
  }
}
