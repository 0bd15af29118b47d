// Parquet codec benchmarks, imported by bench/run.mjs and runnable alone (after `npm run build`):
//   node packages/core/bench/parquet-codecs.mjs
// 1. Page decompressors: the one core uses for ZSTD and SNAPPY beside the candidates it was chosen over, on the same
//    compressed bytes (64 KiB and 1 MiB pages: half float32 noise, half repeated text).
// 2. ParquetTable on a LeRobot-shaped table that DuckDB writes with each codec (PARQUET_VERSION V2), in rows/s,
//    beside the same table written UNCOMPRESSED (so the ratio is the cost of the codec).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { compress as zstdCompress, decompress as bokuDecompress, init as bokuInit } from "@bokuweb/zstd-wasm";
import { decompress as fzstd } from "fzstd";
import { snappyUncompress } from "hyparquet";
import { decompressSnappy as hysnappy } from "hyparquet-compressors";
import snappyjs from "snappyjs";
import { ZSTDDecoder } from "zstddec";
import { ParquetTable } from "@cotrain/core";
import { measure, report } from "../../../tools/lib/bench-report.mjs";

function page(size) {
  const floats = new Float32Array(size / 8);
  for (let i = 0; i < floats.length; i++) floats[i] = Math.fround(Math.sin(i * 0.37) * (1 + (i % 7)));
  const text = Buffer.from(Array.from({ length: size / 16 }, (_, i) => `task ${i % 50} open the drawer`).join("|")).subarray(0, size / 2);
  const out = new Uint8Array(size);
  out.set(new Uint8Array(floats.buffer), 0);
  out.set(text, floats.byteLength);
  return out;
}

async function decompressors() {
  await bokuInit();
  const zstddec = new ZSTDDecoder();
  await zstddec.init();
  const rows = [];
  for (const size of [64 << 10, 1 << 20]) {
    const raw = page(size);
    const label = `${size >> 10} KiB`;
    const mbps = async (fn) => (await measure(() => { fn(); return size / 1e6; }, { minMs: 800 })).perSecond;
    const z = zstdCompress(raw, 3);
    const ours = await mbps(() => zstddec.decode(z, size));
    rows.push({ name: `ZSTD page ${label}: zstddec (used)`, value: ours, unit: "MB/s", baseline: "fzstd (pure JS)", baselineValue: await mbps(() => fzstd(z, new Uint8Array(size))) });
    rows.push({ name: `ZSTD page ${label}: zstddec (used)`, value: ours, unit: "MB/s", baseline: "@bokuweb/zstd-wasm", baselineValue: await mbps(() => bokuDecompress(z)) });
    const s = snappyjs.compress(raw);
    const builtIn = await mbps(() => snappyUncompress(s, new Uint8Array(size)));
    rows.push({ name: `SNAPPY page ${label}: hyparquet built-in (used)`, value: builtIn, unit: "MB/s", baseline: "hysnappy (WASM)", baselineValue: await mbps(() => hysnappy(s, size)) });
    rows.push({ name: `SNAPPY page ${label}: hyparquet built-in (used)`, value: builtIn, unit: "MB/s", baseline: "snappyjs", baselineValue: await mbps(() => snappyjs.uncompress(s)) });
  }
  return rows;
}

async function tables() {
  const dir = mkdtempSync(join(tmpdir(), "cotrain-bench-parquet-"));
  const conn = await (await DuckDBInstance.create(":memory:")).connect();
  const n = 20_000;
  // 7-D action and state, indices, and a 1 KiB image-like blob per row (random bytes, as JPEG data is to a codec;
  // a quarter of them one repeated all-black frame).
  const select = `SELECT [sin(i), cos(i), sin(2 * i), cos(2 * i), i % 7, i % 11, 0.5]::FLOAT[] AS action, [cos(i), sin(i), 1, 2, 3, 4, i % 5]::FLOAT[] AS "observation.state",
    i::BIGINT AS "index", (i // 100)::BIGINT AS episode_index, (i % 100)::BIGINT AS frame_index, (i % 100) / 10.0 AS timestamp, (i % 3)::BIGINT AS task_index,
    {'bytes': CASE WHEN i % 4 = 0 THEN from_hex(repeat('ffd8', 512)) ELSE from_hex(array_to_string(list_transform(range(64), lambda k: md5(i::VARCHAR || '-' || k::VARCHAR)), '')) END, 'path': NULL::VARCHAR} AS "observation.images.top"
    FROM range(${n}) t(i)`;
  const rows = [];
  try {
    const rate = async (codec) => {
      const file = join(dir, `${codec}.parquet`);
      await conn.run(`COPY (${select}) TO '${file}' (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION V2, ROW_GROUP_SIZE 10240)`);
      const result = await measure(async () => {
        const table = await ParquetTable.open(file);
        await table.readRows();
        await table.close();
        return n;
      }, { minMs: 2000 });
      return { perSecond: result.perSecond, mb: statSync(file).size / 1e6 };
    };
    const plain = await rate("uncompressed");
    for (const codec of ["snappy", "gzip", "zstd", "lz4", "brotli"]) {
      const r = await rate(codec);
      rows.push({ name: `ParquetTable.readRows, DuckDB ${codec} V2 (${r.mb.toFixed(1)} MB; uncompressed ${plain.mb.toFixed(1)} MB)`, value: r.perSecond, unit: "rows/s", baseline: "the same table UNCOMPRESSED", baselineValue: plain.perSecond });
    }
  } finally {
    conn.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export async function benchParquetCodecs() {
  return [...(await decompressors()), ...(await tables())];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  report("@cotrain/core (Parquet codecs)", await benchParquetCodecs());
}
