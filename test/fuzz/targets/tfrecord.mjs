// TFRecord framing: mutations of the bytes of one RLDS shard file. Oracle: every byte of a TFRecord file is
// covered by a masked CRC32C (the length by one, the data by another), so any change of the bytes must end in a
// typed error under "raise", and under "skip" in the original episodes less some, each counted. The one valid
// change is reordering whole records (the framing has no sequence numbers): the output must then be the original
// episodes in the new order, each taking the episode_index of its new position.
import fc from "fast-check";
import { applyByteMutation, byteMutation, concat } from "../lib/bytes.mjs";
import { frame, splitRecords, withLength } from "../lib/tfrecord.mjs";
import { episodesOf, judgeSkipped, readRlds, setupRlds, variant, variantKey } from "./rlds-fixture.mjs";

const HUGE = [2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32 + 12, 2 ** 40, 2 ** 53 - 1, 2n ** 64n - 1n];

export default {
  name: "tfrecord",
  reads: "RLDS shard files (TFRecord framing) through openRlds",
  setup: setupRlds,
  arbitrary(ctx) {
    const shard = fc.nat({ max: ctx.shards.length - 1 });
    return fc.oneof(
      { arbitrary: fc.record({ shard, variant }).chain((d) => byteMutation(ctx.files[ctx.shards[d.shard]].length).map((m) => ({ op: "bytes", ...d, m }))), weight: 12 },
      { arbitrary: fc.record({ op: fc.constant("length"), shard, record: fc.nat({ max: 3 }), length: fc.oneof(fc.constantFrom(...HUGE), fc.nat({ max: 1 << 20 })), variant }), weight: 3 },
      { arbitrary: fc.record({ op: fc.constantFrom("drop", "repeat"), shard, record: fc.nat({ max: 3 }), variant }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant("swap"), shard: fc.constant(1), variant: fc.constant({ shuffle: false, onError: "raise" }) }), weight: 1 },
    );
  },
  mutate(ctx, d) {
    const name = ctx.shards[d.shard];
    const bytes = ctx.files[name];
    const records = splitRecords(bytes);
    const r = records[d.record % records.length];
    if (d.op === "bytes") return { [name]: applyByteMutation(bytes, d.m) };
    if (d.op === "length") return { [name]: withLength(bytes, r.offset, d.length) };
    const framed = records.map((x) => frame(x.data));
    if (d.op === "drop") framed.splice(d.record % records.length, 1);
    if (d.op === "repeat") framed.splice(d.record % records.length, 0, framed[d.record % records.length]);
    if (d.op === "swap") framed.reverse();
    return { [name]: concat(...framed) };
  },
  read: readRlds,
  variantKey,
  expectError: (_ctx, d) => d.op !== "swap" && d.variant.onError === "raise",
  judge(ctx, d, _files, output, baseline) {
    if (d.op === "swap") {
      // Shard 1 holds episodes from shardLengths[0] on: reversed, each takes the index of its new place.
      const episodes = episodesOf(baseline.rows);
      const first = ctx.shardLengths[0];
      const expected = [...episodes.slice(0, first), ...episodes.slice(first).reverse()].flatMap((e, i) => e.map((row) => ({ ...row, episode_index: i })));
      return JSON.stringify(output) === JSON.stringify({ rows: expected, skipped: {} }) ? null : "records reordered: the output is not the original episodes in the new record order";
    }
    if (d.variant.onError === "skip") return judgeSkipped(output, baseline);
    return "changed bytes accepted";
  },
};
