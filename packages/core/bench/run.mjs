// Core benchmarks: building and rebatching RecordBatches, and shard write/read, each beside a naive baseline
// measured in the same run. Run: npm run bench -- core
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeBuilder } from "apache-arrow";
import { CANONICAL_SCHEMA, collect, fromBatches, fromRows, openShards, rebatch, rowsToBatch, writeShards } from "@cotrain/core";
import { measure, report } from "../../../tools/lib/bench-report.mjs";
import { benchParquetCodecs } from "./parquet-codecs.mjs";

const image = new Uint8Array(12_000).map((_, i) => (i * 31) & 0xff); // about a 64×64 JPEG
function makeRows(n) {
  return Array.from({ length: n }, (_, i) => ({
    source: i % 2 ? "bridge" : "llava",
    kind: i % 2 ? "robot" : "vqa",
    sample_id: `s${i}`,
    images: [image],
    cameras: ["image_0"],
    messages: [{ role: "user", content: `pick up the red block number ${i}` }, ...(i % 2 ? [] : [{ role: "assistant", content: "red" }])],
    action: i % 2 ? Float32Array.from({ length: 7 }, (_, d) => d + i) : null,
    state: i % 2 ? Float32Array.from({ length: 8 }, (_, d) => d - i) : null,
    episode_index: i % 2 ? i >> 4 : null,
    step_index: i % 2 ? i & 15 : null,
    is_first: i % 2 ? (i & 15) === 1 : null,
    is_last: i % 2 ? (i & 15) === 15 : null,
  }));
}

const rows = makeRows(4096);
const results = [];

// 1. Building batches: our direct-buffer builder vs Arrow's generic builders vs a plain deep copy of the objects.
const build = await measure(() => { for (let i = 0; i < rows.length; i += 256) rowsToBatch(rows.slice(i, i + 256)); return rows.length; });
const arrowBuilders = await measure(() => {
  for (let i = 0; i < rows.length; i += 256) {
    const part = rows.slice(i, i + 256);
    for (const field of CANONICAL_SCHEMA.fields) {
      const builder = makeBuilder({ type: field.type, nullValues: [null, undefined] });
      for (const r of part) {
        const v = r[field.name];
        builder.append(ArrayBuffer.isView(v) && !(v instanceof Uint8Array) ? Array.from(v) : v ?? (field.nullable ? null : []));
      }
      builder.finish().toVector();
    }
  }
  return rows.length;
});
const objectCopy = await measure(() => { for (let i = 0; i < rows.length; i += 256) structuredClone(rows.slice(i, i + 256)); return rows.length; });
results.push({ name: "build rows → RecordBatch (rowsToBatch)", value: build.perSecond, unit: "rows/s", baseline: "Arrow makeBuilder per column", baselineValue: arrowBuilders.perSecond });
results.push({ name: "build rows → RecordBatch (rowsToBatch)", value: build.perSecond, unit: "rows/s", baseline: "structuredClone of the row objects", baselineValue: objectCopy.perSecond });

// 2. Rebatching 100-row batches into 256-row batches vs regrouping an array of objects.
const batches = [];
for (let i = 0; i < rows.length; i += 100) batches.push(rowsToBatch(rows.slice(i, i + 100)));
const rebatchRate = await measure(async () => { await collect(rebatch(fromBatches(batches), 256)); return rows.length; });
const arrayRegroup = await measure(() => {
  const groups = [];
  for (let i = 0; i < rows.length; i += 100) groups.push(rows.slice(i, i + 100));
  const flat = groups.flat().map((r) => ({ ...r, images: r.images.map((b) => b.slice()) }));
  for (let i = 0; i < flat.length; i += 256) flat.slice(i, i + 256);
  return rows.length;
});
results.push({ name: "rebatch 100-row → 256-row batches", value: rebatchRate.perSecond, unit: "rows/s", baseline: "array-of-objects regroup (images copied)", baselineValue: arrayRegroup.perSecond });

// 3. Shard write/read in MB/s of shard bytes, beside raw writeFile/readFile of the same number of bytes.
const dir = mkdtempSync(join(tmpdir(), "cotrain-bench-"));
for (const format of ["arrow", "parquet"]) {
  const big = format === "arrow" ? makeRows(8192) : makeRows(2048);
  let bytes = 0;
  let n = 0;
  const write = await measure(async () => {
    const out = join(dir, `${format}-${n++}`);
    const m = await writeShards(fromRows(big, { batchSize: 256 }), out, { format, maxRowsPerShard: 4096 });
    bytes = m.total_bytes;
    return bytes / 1e6;
  }, { minMs: 2000 });
  const target = join(dir, `${format}-0`);
  const read = await measure(async () => { await collect(openShards(target, { verify: false })); return bytes / 1e6; }, { minMs: 2000 });
  const blob = Buffer.alloc(bytes, 7);
  const rawWrite = await measure(() => { writeFileSync(join(dir, "raw.bin"), blob); return bytes / 1e6; });
  const rawRead = await measure(() => { readFileSync(join(dir, "raw.bin")); return bytes / 1e6; });
  results.push({ name: `shard write (${format})`, value: write.perSecond, unit: "MB/s", baseline: "fs.writeFileSync of as many bytes", baselineValue: rawWrite.perSecond });
  results.push({ name: `shard read (${format}, no verify)`, value: read.perSecond, unit: "MB/s", baseline: "fs.readFileSync of the same size", baselineValue: rawRead.perSecond });
}
rmSync(dir, { recursive: true, force: true });

// 4. Parquet decompressors and ParquetTable per codec (bench/parquet-codecs.mjs).
results.push(...(await benchParquetCodecs()));
report("@cotrain/core", results);
