// `cotrain convert` through SIGKILLs: every job's shards must hold each input row exactly once, no listing may name
// a partial shard at any moment, and the finished folder must equal an uninterrupted run's, byte for byte.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { batchToRows, collect, openShards } from "@cotrain/core";
import { openRlds } from "@cotrain/robot";
import { folderDifferences, multisetDifference, partialShardsListed } from "./checks.mjs";
import { runThroughKills } from "./kill-loop.mjs";

const keysOf = async (source) => {
  const keys = (await collect(source)).flatMap(batchToRows).map((r) => `${r.source}/${r.sample_id}`);
  await source.close?.();
  return keys;
};

/**
 * Converts the world's RLDS train split (images resized to 24×24 on the way, reader batches of 16, shards of
 * `size.maxRows` rows so shards end inside batches), alternating Arrow and Parquet output job by job, until `kills`
 * kills have landed. Each job starts in a fresh folder; every start runs with --resume.
 */
export async function soakConvert({ bin, world, size, dir, kills, rng, log }) {
  const argsFor = (format, out, ...more) => [bin, "convert", world.rlds, "--out", out, "--format", format, "--max-rows", String(size.maxRows), "--image-size", "24", "--options", JSON.stringify({ batchSize: 16 }), ...more];
  const input = await keysOf(await openRlds(join(world.rlds), { split: "train" }));
  if (input.length !== world.summary.robot.splits.train.steps) throw new Error(`the RLDS reader gives ${input.length} rows, the world wrote ${world.summary.robot.splits.train.steps} steps`);

  // Plain uninterrupted runs (no --resume): what every job must end as, byte for byte, and the delay range of the kills.
  const reference = {};
  for (const format of ["arrow", "parquet"]) {
    const out = join(dir, `reference-${format}`);
    const [start] = await runThroughKills({ args: argsFor(format, out), killsLeft: () => 0, delayMs: () => 0, onKilled: async () => undefined });
    reference[format] = { out, wallMs: start.wallMs, shards: JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).shards.length };
  }
  const longest = Math.max(reference.arrow.wallMs, reference.parquet.wallMs);

  const jobs = [];
  let landed = 0;
  while (landed < kills) {
    const format = jobs.length % 2 === 0 ? "arrow" : "parquet";
    const out = join(dir, `job-${jobs.length}-${format}`);
    mkdirSync(out, { recursive: true });
    const atKill = [];
    const starts = await runThroughKills({
      args: argsFor(format, out, "--resume"),
      killsLeft: () => kills - landed,
      delayMs: () => rng.uniform(0, reference[format].wallMs),
      onKilled: async () => {
        landed++;
        const listed = partialShardsListed(out);
        atKill.push({ partial: listed.bad, listedShards: listed.checked });
      },
    });
    const end = partialShardsListed(out);
    const rows = await keysOf(openShards(out, { verify: true }));
    const { lost, duplicated } = multisetDifference(input, rows);
    const differs = folderDifferences(reference[format].out, out);
    const job = {
      format,
      kills: atKill.length,
      starts: starts.length,
      rows: rows.length,
      lost,
      duplicated,
      partialShardsListed: atKill.reduce((n, k) => n + k.partial.length, 0) + end.bad.length,
      partial: [...atKill.flatMap((k) => k.partial), ...end.bad],
      shardsListedAtKills: atKill.map((k) => k.listedShards),
      identicalToUninterrupted: differs.length === 0,
      differs,
      delaysMs: starts.map((s) => s.delayMs),
    };
    jobs.push(job);
    log(`convert job ${jobs.length - 1} (${format}): ${job.kills} kill(s), ${job.rows} rows, lost ${lost}, duplicated ${duplicated}, identical ${job.identicalToUninterrupted}`);
  }
  return {
    inputRows: input.length,
    reference: Object.fromEntries(Object.entries(reference).map(([k, v]) => [k, { wallMs: v.wallMs, shards: v.shards }])),
    maxDelayMs: longest,
    jobs,
    kills: jobs.reduce((n, j) => n + j.kills, 0),
    lost: jobs.reduce((n, j) => n + j.lost, 0),
    duplicated: jobs.reduce((n, j) => n + j.duplicated, 0),
    partialShardsListed: jobs.reduce((n, j) => n + j.partialShardsListed, 0),
    identical: jobs.every((j) => j.identicalToUninterrupted),
  };
}
