// Shard folders (writeShards, Arrow IPC): mutations of manifest.json (blind and structural) and of one shard's
// bytes, read with openShards with sha256 verification on (the default) or off. Oracle for the manifest: text that
// is not strict UTF-8 JSON must raise; otherwise the rows must be, in the manifest's order, the original rows of
// each shard it lists whose file, row count, byte count and (when verifying) sha256 are the written ones, and any
// other entry must raise. Oracle for shard bytes: with verification any change must raise (sha256, or the size
// first); without it, the rows must equal an independent re-read of the mutated bytes by apache-arrow's
// synchronous stream reader over the bytes in memory (the reader streams them through an async file reader), or
// the reader must raise.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { RecordBatchReader } from "apache-arrow";
import { batchToRows, fromRows, openShards, writeShards } from "@cotrain/core";
import { applyByteMutation, byteMutation } from "../lib/bytes.mjs";
import { image } from "../lib/fixtures.mjs";
import { applyJsonMutation, jsonMutation, parseStrict } from "../lib/json.mjs";
import { drain, plainRow } from "../lib/rows.mjs";

export default {
  name: "shards",
  reads: "shard folders (manifest.json + Arrow IPC shards) through openShards",
  async setup(dir) {
    const rows = [];
    for (let i = 0; i < 10; i++) {
      rows.push(i % 3 === 0
        ? { source: "bridge", kind: "robot", sample_id: `ep${i >> 2}#${i & 3}`, images: [await image(i)], cameras: ["image_0"], messages: [{ role: "user", content: "open the drawer" }], action: [i / 10, 0, 0, 0, 0, 0, 1], state: [0, 0, 0, 0, 0, 0, i], episode_index: i >> 2, step_index: i & 3, is_first: (i & 3) === 0, is_last: (i & 3) === 3 }
        : { source: "llava", kind: "vqa", sample_id: `q${i}`, images: [await image(100 + i)], cameras: ["image"], messages: [{ role: "user", content: `<image>\nWhat is ${i}?` }, { role: "assistant", content: `It is ${i}.` }] });
    }
    const manifest = await writeShards(fromRows(rows, { batchSize: 2 }), dir, { format: "arrow", maxRowsPerShard: 4 });
    const files = {};
    for (const name of readdirSync(dir)) files[name] = new Uint8Array(readFileSync(join(dir, name)));
    const shardRows = {};
    for (const s of manifest.shards) shardRows[s.file] = syncRows(files[s.file]);
    return { dir, files, manifest, parsed: JSON.parse(Buffer.from(files["manifest.json"]).toString()), shards: manifest.shards.map((s) => s.file), shardRows };
  },
  arbitrary(ctx) {
    const verify = fc.boolean();
    return fc.oneof(
      { arbitrary: fc.record({ verify, m: jsonMutation(ctx.files["manifest.json"].length) }).map((d) => ({ op: "manifest", ...d })), weight: 5 },
      { arbitrary: fc.record({ verify, shard: fc.constantFrom(...ctx.shards) }).chain((d) => byteMutation(ctx.files[d.shard].length).map((m) => ({ op: "shard", ...d, m }))), weight: 5 },
    );
  },
  mutate(ctx, d) {
    if (d.op === "shard") return { [d.shard]: applyByteMutation(ctx.files[d.shard], d.m) };
    return { "manifest.json": applyJsonMutation(ctx.files["manifest.json"], ctx.parsed, d.m) };
  },
  async read(ctx, d) {
    return { rows: await drain(openShards(ctx.dir, { verify: d?.verify ?? true })) };
  },
  variantKey: () => "",
  judgeSame: true,
  expectError(ctx, d, files) {
    if (d.op === "manifest") return parseStrict(files["manifest.json"]) === undefined;
    return d.verify || files[d.shard].length !== ctx.files[d.shard].length;
  },
  judge(ctx, d, files, output) {
    let expected;
    if (d.op === "manifest") {
      expected = expectedFromManifest(ctx, parseStrict(files["manifest.json"]), d.verify);
      if (typeof expected === "string") return `the reader yielded rows where the manifest must fail (${expected})`;
    } else {
      let rows;
      try {
        rows = syncRows(files[d.shard]);
      } catch (error) {
        return `apache-arrow's synchronous reader rejects the mutated shard (${error.message}), yet the reader yielded rows`;
      }
      if (rows.length !== ctx.manifest.shards.find((s) => s.file === d.shard).rows) return "the mutated shard holds another row count than the manifest, yet the reader yielded rows";
      expected = ctx.shards.flatMap((f) => (f === d.shard ? rows : ctx.shardRows[f]));
    }
    return JSON.stringify(output.rows) === JSON.stringify(expected) ? null : `rows differ from the oracle: got ${JSON.stringify(output.rows).slice(0, 300)}, expected ${JSON.stringify(expected).slice(0, 300)}`;
  },
};

/** The rows of Arrow IPC stream bytes, read by apache-arrow's synchronous reader. */
function syncRows(bytes) {
  return [...RecordBatchReader.from(bytes)].flatMap(batchToRows).map(plainRow);
}

function expectedFromManifest(ctx, m, verify) {
  if (m === null || typeof m !== "object" || Array.isArray(m)) return "not an object";
  if (m.manifest_version !== 1) return "manifest_version is not 1";
  if (m.format !== "arrow") return "format is not arrow (the shards are)";
  if (!Array.isArray(m.shards)) return "shards is not a list";
  if (m.meta !== undefined && (m.meta === null || typeof m.meta !== "object" || Array.isArray(m.meta))) return "meta is not an object";
  const out = [];
  for (const s of m.shards) {
    const original = ctx.manifest.shards.find((o) => o.file === s?.file);
    if (!original || s.rows !== original.rows || s.bytes !== original.bytes || typeof s.sha256 !== "string" || (verify && s.sha256 !== original.sha256)) return `entry ${JSON.stringify(s).slice(0, 100)} does not match a written shard`;
    out.push(...ctx.shardRows[s.file]);
  }
  return out;
}
