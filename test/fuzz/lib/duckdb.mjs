// DuckDB as the independent reader of mutated Parquet files (a separate engine, C++, not parquetjs or our reader).
import { DuckDBInstance } from "@duckdb/node-api";

let connection = null;

/** Every row of a Parquet file as plain JS (lists as arrays, BLOBs as Uint8Array), in file order; null if DuckDB refuses it. */
export async function duckRows(path) {
  if (connection === null) {
    connection = await (await DuckDBInstance.create(":memory:", { threads: "1" })).connect();
    // Each case rewrites the same path, often within the same second and at the same size: DuckDB's cache of file
    // blocks (validated by modification time) would answer with an earlier case's bytes.
    await connection.run("SET enable_external_file_cache = false");
  }
  try {
    const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${path.replaceAll("'", "''")}')`);
    return reader.getRowObjectsJS();
  } catch {
    return null;
  }
}
