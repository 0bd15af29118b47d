import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { RecordBatch } from "apache-arrow";
import { ChecksumError, MissingError, TruncatedError } from "../errors.js";
import { isInt, stateField } from "../source.js";
import type { JsonValue, Source } from "../source.js";
import { partitionInputs } from "../partition.js";
import type { ShardSpec } from "../partition.js";
import { hashFile } from "./hashing-file.js";
import { readArrowShard } from "./arrow-shard.js";
import { readParquetShard } from "./parquet-shard.js";
import { readManifests } from "./manifest.js";
import type { ShardEntry, ShardFormat } from "./manifest.js";

export interface OpenShardsOptions {
  /** Verify each shard's sha256 before reading it (default true; costs one extra read of the file). */
  verify?: boolean;
  /** Rows per batch for Parquet shards (Arrow shards yield the batches as stored). Default 256. */
  batchSize?: number;
  /** Read only this reader's share of the shard files (data-parallel readers). */
  shard?: ShardSpec;
}

interface ShardFile extends ShardEntry {
  path: string;
  format: ShardFormat;
}

/**
 * Reads the shards named by a manifest (or by every manifest in a folder) as one Source. State: which shard and
 * how many of its rows were emitted; a restore reopens that shard and skips the emitted rows (whole Parquet row
 * groups are skipped by metadata). A shard whose size, sha256 or row count disagrees with the manifest raises a
 * typed error naming the file.
 */
export function openShards(path: string, options: OpenShardsOptions = {}): Source {
  const verify = options.verify ?? true;
  const batchSize = options.batchSize ?? 256;
  let files: ShardFile[] | null = null;
  let shard = 0;
  let row = 0;
  let iterator: AsyncGenerator<RecordBatch> | null = null;

  const list = async (): Promise<ShardFile[]> => {
    if (files === null) {
      const manifests = await readManifests(path);
      const all = manifests.flatMap(({ dir, manifest }) => manifest.shards.map((s) => ({ ...s, path: join(dir, s.file), format: manifest.format })));
      files = options.shard ? partitionInputs(all, options.shard, (f) => f.path) : all;
    }
    return files;
  };

  const check = async (file: ShardFile): Promise<void> => {
    let size: number;
    try {
      size = (await stat(file.path)).size;
    } catch (cause) {
      throw new MissingError("SHARD_MISSING", "shard named in the manifest does not exist", { file: file.path, cause });
    }
    if (size < file.bytes) throw new TruncatedError("SHARD_TRUNCATED", `shard has ${size} bytes, the manifest says ${file.bytes}`, { file: file.path });
    if (size > file.bytes) throw new ChecksumError("SHARD_SIZE", `shard has ${size} bytes, the manifest says ${file.bytes}`, { file: file.path });
    if (verify) {
      const { sha256 } = await hashFile(file.path);
      if (sha256 !== file.sha256) throw new ChecksumError("SHARD_CHECKSUM", `sha256 ${sha256} does not match the manifest's ${file.sha256}`, { file: file.path, field: "sha256" });
    }
  };

  async function* skipRows(batches: AsyncGenerator<RecordBatch>, skip: number): AsyncGenerator<RecordBatch> {
    let seen = 0;
    for await (const batch of batches) {
      const end = seen + batch.numRows;
      if (end > skip) yield seen >= skip ? batch : batch.slice(skip - seen, batch.numRows);
      seen = end;
    }
  }

  return {
    async next(): Promise<RecordBatch | null> {
      const all = await list();
      while (shard < all.length) {
        const file = all[shard]!;
        if (iterator === null) {
          await check(file);
          iterator = file.format === "arrow" ? skipRows(readArrowShard(file.path), row) : readParquetShard(file.path, batchSize, row);
        }
        const { value, done } = await iterator.next();
        if (!done) {
          row += value.numRows;
          if (row > file.rows) throw new ChecksumError("SHARD_ROWS", `shard holds more than the ${file.rows} rows its manifest says`, { file: file.path, row: file.rows });
          return value;
        }
        if (row !== file.rows) throw new TruncatedError("SHARD_ROWS", `shard ended after ${row} rows, the manifest says ${file.rows}`, { file: file.path, row });
        iterator = null;
        shard++;
        row = 0;
      }
      return null;
    },
    state: () => ({ shard, row }),
    restore(state: JsonValue) {
      void iterator?.return(undefined);
      iterator = null;
      shard = stateField<number>(state, "shard", isInt, "openShards");
      row = stateField<number>(state, "row", isInt, "openShards");
    },
    reset() {
      void iterator?.return(undefined);
      iterator = null;
      shard = 0;
      row = 0;
    },
    describe: () => `shards(${path})`,
    async close() {
      await iterator?.return(undefined);
      iterator = null;
    },
  };
}
