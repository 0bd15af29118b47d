// The RLDS dataset the RLDS targets mutate: three Bridge-style episodes (3, 2 and 4 steps) in two TFRecord shards,
// written by writeRlds, and the reader call every case makes (openRlds, drained to plain rows).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { openRlds, writeRlds } from "@cotrain/robot";
import { bridgeEpisodes } from "../lib/fixtures.mjs";
import { drain } from "../lib/rows.mjs";
import { SKIPPED } from "../lib/verdict.mjs";

export async function setupRlds(dir) {
  const root = join(dir, "bridge_dataset", "1.0.0");
  const written = await writeRlds(root, await bridgeEpisodes([3, 2, 4]), { name: "bridge_dataset", preset: "bridge", shards: 2 });
  const files = {};
  for (const name of readdirSync(root)) files[name] = new Uint8Array(readFileSync(join(root, name)));
  const shards = written.files.map((f) => f.slice(root.length + 1));
  return { dir: root, files, shards, shardLengths: written.shardLengths };
}

/** Sequential or shuffled episode order, raise or skip. */
export const variant = fc.record({ shuffle: fc.boolean(), onError: fc.constantFrom("raise", "skip") });

export async function readRlds(ctx, desc) {
  const v = desc?.variant ?? { shuffle: false, onError: "raise" };
  const source = await openRlds(ctx.dir, { preset: "bridge", batchSize: 3, shuffleEpisodes: v.shuffle, seed: 3, onError: v.onError });
  const rows = await drain(source);
  return { rows, skipped: source.skipped() };
}

export const variantKey = (desc) => `${desc.variant.shuffle}/${desc.variant.onError}`;

/** Consecutive rows of one episode (same episode_index), in order. */
export function episodesOf(rows) {
  const out = [];
  for (const row of rows) {
    const last = out[out.length - 1];
    if (last && last[0].episode_index === row.episode_index) last.push(row);
    else out.push([row]);
  }
  return out;
}

/**
 * The skip-mode oracle: every episode yielded is one of the original episodes, unchanged (none altered, none
 * invented), and the skip counts cover at least the episodes left out, and at least one when the input changed.
 * Its episode_index may differ: that is the record's position in the split, which a shard holding fewer or more
 * records than dataset_info.json lists leaves ambiguous (the records are not numbered), and a repeated record is
 * yielded twice; both are then counted as RLDS_SHARD_LENGTH.
 */
export function judgeSkipped(output, baseline) {
  const key = (e) => JSON.stringify(e.map((row) => ({ ...row, episode_index: null })));
  const want = new Set(episodesOf(baseline.rows).map(key));
  const got = episodesOf(output.rows).map(key);
  if (got.some((e) => !want.has(e))) return "skip mode yielded an episode that is not one of the original episodes (changed or invented)";
  const removed = Math.max(0, want.size - new Set(got).size);
  const counted = Object.values(output.skipped).reduce((s, n) => s + n, 0);
  if (counted < Math.max(1, removed)) return `skip mode left out ${removed} episode(s) but counted ${counted} skip(s): ${JSON.stringify(output.skipped)}`;
  return SKIPPED;
}
