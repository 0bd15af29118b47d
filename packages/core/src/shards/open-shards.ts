import type { RecordBatch } from "apache-arrow";
import { ChecksumError, FormatError, MissingError, TruncatedError } from "../errors.js";
import { isRemote, joinLocation } from "../files/location.js";
import { locationSize } from "../files/open-location.js";
import { isInt, stateField } from "../source.js";
import type { JsonValue, Source } from "../source.js";
import { partitionInputs } from "../partition.js";
import type { ShardSpec } from "../partition.js";
import { hashFile, hashLocation } from "./hashing-file.js";
import { readArrowShard } from "./arrow-shard.js";
import { readParquetShard } from "./parquet-shard.js";
import { readManifests } from "./manifest.js";
import { describeSchema } from "./manifest.js";
import type { Manifest, ShardEntry, ShardFormat } from "./manifest.js";

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
  /** The fields the manifest records for the shards it lists. */
  schema: Manifest["schema"] | undefined;
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
      const all = manifests.flatMap(({ dir, manifest }) => manifest.shards.map((s) => ({ ...s, path: joinLocation(dir, s.file), format: manifest.format, schema: manifest.schema })));
      files = options.shard ? partitionInputs(all, options.shard, (f) => f.path) : all;
    }
    return files;
  };

  const check = async (file: ShardFile): Promise<void> => {
    let size: number;
    try {
      size = await locationSize(file.path);
    } catch (cause) {
      throw new MissingError("SHARD_MISSING", "shard named in the manifest does not exist", { file: file.path, cause });
    }
    // The offset is where the file and the manifest part: the end of a short file, the first extra byte of a long one.
    if (size < file.bytes) throw new TruncatedError("SHARD_TRUNCATED", `shard has ${size} bytes, the manifest says ${file.bytes}`, { file: file.path, offset: size, field: "bytes" });
    if (size > file.bytes) throw new ChecksumError("SHARD_SIZE", `shard has ${size} bytes, the manifest says ${file.bytes}`, { file: file.path, offset: file.bytes, field: "bytes" });
    if (verify) {
      // A remote shard is hashed through the block cache, so the read that follows costs no second download.
      const { sha256 } = isRemote(file.path) ? await hashLocation(file.path) : await hashFile(file.path);
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
          if (file.format === "arrow") checkSchema(value, file, row);
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

/**
 * An Arrow shard stores its schema in its first message, which its manifest records too: a field that differs
 * (a corrupt name or type id) would otherwise reach the reader of the rows as a missing column or a wrong type.
 */
function checkSchema(batch: RecordBatch, file: ShardFile, row: number): void {
  if (!Array.isArray(file.schema)) return;
  const stored = describeSchema(batch.schema);
  const expected = file.schema;
  for (let i = 0; i < Math.max(stored.length, expected.length); i++) {
    const got = stored[i];
    const want = expected[i];
    if (got?.name !== want?.name || got?.type !== want?.type) {
      throw new FormatError("SHARD_SCHEMA", `field ${i} is ${got ? `${got.name}: ${got.type}` : "absent"}, the manifest says ${want ? `${want.name}: ${want.type}` : "none"}`, { file: file.path, row, field: want?.name ?? got?.name ?? String(i) });
    }
  }
}
