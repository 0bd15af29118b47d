// The kill/restart soak of `cotrain convert` and `cotrain train` (issue 16): see tools/soak.mjs for the command.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "@cotrain/core";
import { soakConvert } from "./convert-soak.mjs";
import { soakTrain } from "./train-soak.mjs";
import { SIZES, makeWorld, writeTrainConfig } from "./world.mjs";

const BIN = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url));

/**
 * Generates the sample world, then SIGKILLs `cotrain convert` and `cotrain train` `kills` times each at seeded
 * random moments, restarting each with --resume until it completes, and checks every finished job (see
 * convert-soak.mjs and train-soak.mjs). `size`: "full" or "small"; `only`: "convert" or "train" to run one.
 */
export async function runSoak({ kills = 20, seed = 1, size = "full", only = null, log = () => undefined, keep = false } = {}) {
  const sizes = SIZES[size];
  if (!sizes) throw new RangeError(`size must be one of ${Object.keys(SIZES).join(", ")}, got ${JSON.stringify(size)}`);
  const dir = mkdtempSync(join(tmpdir(), "cotrain-soak-"));
  const started = performance.now();
  try {
    const world = await makeWorld(dir, sizes, seed);
    const result = { kills, seed, size, sizes, world: { robotSteps: world.summary.robot.splits.train.steps }, convert: null, train: null };
    if (only !== "train") {
      log(`convert: ${kills} kill(s) ...`);
      result.convert = await soakConvert({ bin: BIN, world, size: sizes, dir: join(dir, "convert"), kills, rng: Rng.from(seed, "soak", "convert"), log });
    }
    if (only !== "convert") {
      log(`train: ${kills} kill(s) ...`);
      const config = writeTrainConfig(world, sizes, join(dir, "train.json"));
      result.train = await soakTrain({ bin: BIN, config, dir: join(dir, "train"), kills, rng: Rng.from(seed, "soak", "train"), log });
    }
    result.wallMs = Math.round(performance.now() - started);
    result.ok = isClean(result);
    return result;
  } finally {
    if (keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

export function isClean(r) {
  const c = r.convert;
  const t = r.train;
  return (!c || (c.kills === r.kills && c.lost === 0 && c.duplicated === 0 && c.partialShardsListed === 0 && c.identical)) && (!t || (t.kills === r.kills && t.lost === 0 && t.duplicated === 0 && t.idsEqual && t.metricsStepsOnce));
}

/** The summary table: one row per job kind. */
export function formatTable(r) {
  const rows = [["job", "jobs", "kills survived", "rows lost", "rows duplicated", "partial shards listed", "identical to uninterrupted", "training ids equal"]];
  const yes = (b) => (b ? "yes" : "no");
  if (r.convert) rows.push(["cotrain convert", String(r.convert.jobs.length), String(r.convert.kills), String(r.convert.lost), String(r.convert.duplicated), String(r.convert.partialShardsListed), yes(r.convert.identical), "-"]);
  if (r.train) rows.push(["cotrain train", String(r.train.runs.length), String(r.train.kills), String(r.train.lost), String(r.train.duplicated), "-", "-", yes(r.train.idsEqual)]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  return [line(rows[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}
