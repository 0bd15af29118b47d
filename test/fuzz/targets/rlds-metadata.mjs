// TFDS metadata: mutations of dataset_info.json or features.json (blind byte changes, and structural ones: wrong
// types, deleted or duplicated members, huge counts, deep nesting, NaN/Infinity tokens, invalid UTF-8). Oracle:
// text that is not strict UTF-8 JSON must raise. Parsable metadata may raise, or yield the original rows, or
// relabel them: the data columns (images, instruction, action, state, episode and step index, first/last flags)
// come from the records and must be unchanged; only what metadata names may differ (`source` from the dataset
// name, `sample_id` when episode_metadata/file_path is no longer declared), and only when the parsed metadata
// differs from the original. A split listing no shard files is empty: no rows.
import fc from "fast-check";
import { applyJsonMutation, jsonMutation, parseStrict } from "../lib/json.mjs";
import { readRlds, setupRlds } from "./rlds-fixture.mjs";

const FILES = ["dataset_info.json", "features.json"];
const LABELS = ["source", "sample_id"];

export default {
  name: "rlds-metadata",
  reads: "dataset_info.json and features.json through openRlds",
  async setup(dir) {
    const ctx = await setupRlds(dir);
    ctx.parsed = Object.fromEntries(FILES.map((f) => [f, JSON.parse(Buffer.from(ctx.files[f]).toString())]));
    return ctx;
  },
  arbitrary(ctx) {
    return fc.constantFrom(...FILES).chain((file) => jsonMutation(ctx.files[file].length).map((m) => ({ file, m })));
  },
  mutate(ctx, d) {
    return { [d.file]: applyJsonMutation(ctx.files[d.file], ctx.parsed[d.file], d.m) };
  },
  read: readRlds,
  expectError: (_ctx, d, files) => parseStrict(files[d.file]) === undefined,
  judge(ctx, d, files, output, baseline) {
    if (JSON.stringify(parseStrict(files[d.file])) === JSON.stringify(ctx.parsed[d.file])) return "the metadata parses to the original, but the output differs";
    // A split that lists no shard files is an empty split: no rows is what it means.
    const info = d.file === "dataset_info.json" ? parseStrict(files[d.file]) : null;
    const split = Array.isArray(info?.splits) ? info.splits.find((s) => s?.name === "train") : null;
    if (Array.isArray(split?.shardLengths) && split.shardLengths.length === 0) return output.rows.length === 0 ? null : "rows from a split that lists no shards";
    if (output.rows.length !== baseline.rows.length) return `${output.rows.length} rows instead of ${baseline.rows.length}`;
    const strip = (row) => Object.fromEntries(Object.entries(row).filter(([k]) => !LABELS.includes(k)));
    const bad = output.rows.findIndex((row, i) => JSON.stringify(strip(row)) !== JSON.stringify(strip(baseline.rows[i])));
    if (bad >= 0) return `row ${bad}'s data differs: ${JSON.stringify(strip(output.rows[bad])).slice(0, 300)} vs ${JSON.stringify(strip(baseline.rows[bad])).slice(0, 300)}`;
    return null;
  },
};
