// `cotrain train` through SIGKILLs: every run, resumed from its checkpoints, must consume exactly the samples of an
// uninterrupted run, step by step (samples.jsonl byte for byte), and log each step once (metrics.jsonl).
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { multisetDifference } from "./checks.mjs";
import { runThroughKills } from "./kill-loop.mjs";

const read = (path) => (existsSync(path) ? readFileSync(path, "utf8") : "");
const consumed = (text) => text.split("\n").filter(Boolean).flatMap((line) => {
  const { sources, ids } = JSON.parse(line);
  return ids.map((id, i) => `${sources[i]}/${id}`);
});
const latestCheckpoint = (run) => {
  const dir = join(run, "checkpoints");
  const steps = existsSync(dir) ? readdirSync(dir).filter((n) => /^step-\d{8}$/.test(n)).map((n) => Number(n.slice(5))) : [];
  return steps.length ? Math.max(...steps) : 0;
};

/** Trains `config` in fresh run folders, every start with --resume, until `kills` kills have landed. */
export async function soakTrain({ bin, config, dir, kills, rng, log }) {
  const argsFor = (out, ...more) => [bin, "train", config, "--out", out, ...more];
  const refDir = join(dir, "reference");
  // A plain uninterrupted run (no --resume): what every run must consume, and the delay range of the kills.
  const [ref] = await runThroughKills({ args: argsFor(refDir), killsLeft: () => 0, delayMs: () => 0, onKilled: async () => undefined });
  const expected = read(join(refDir, "samples.jsonl"));
  const steps = expected.split("\n").filter(Boolean).length;
  if (steps === 0) throw new Error(`the uninterrupted run wrote no samples.jsonl lines in ${refDir}`);

  const runs = [];
  let landed = 0;
  while (landed < kills) {
    const out = join(dir, `run-${runs.length}`);
    mkdirSync(out, { recursive: true });
    const checkpointsAtKill = [];
    const starts = await runThroughKills({
      args: argsFor(out, "--resume"),
      killsLeft: () => kills - landed,
      delayMs: () => rng.uniform(0, ref.wallMs),
      onKilled: async () => {
        landed++;
        checkpointsAtKill.push(latestCheckpoint(out));
      },
    });
    const actual = read(join(out, "samples.jsonl"));
    const { lost, duplicated } = multisetDifference(consumed(expected), consumed(actual));
    const metricSteps = read(join(out, "metrics.jsonl")).split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((l) => l.type === "train").map((l) => l.step);
    const run = {
      kills: checkpointsAtKill.length,
      starts: starts.length,
      checkpointsAtKills: checkpointsAtKill,
      idsEqual: actual === expected,
      lost,
      duplicated,
      metricsStepsOnce: metricSteps.length === steps && metricSteps.every((s, i) => s === i + 1),
      delaysMs: starts.map((s) => s.delayMs),
    };
    runs.push(run);
    log(`train run ${runs.length - 1}: ${run.kills} kill(s) (at checkpoints ${checkpointsAtKill.join(", ") || "-"}), ids equal ${run.idsEqual}, lost ${lost}, duplicated ${duplicated}`);
  }
  return {
    steps,
    samples: consumed(expected).length,
    reference: { wallMs: ref.wallMs },
    runs,
    kills: runs.reduce((n, r) => n + r.kills, 0),
    lost: runs.reduce((n, r) => n + r.lost, 0),
    duplicated: runs.reduce((n, r) => n + r.duplicated, 0),
    idsEqual: runs.every((r) => r.idsEqual),
    metricsStepsOnce: runs.every((r) => r.metricsStepsOnce),
  };
}
