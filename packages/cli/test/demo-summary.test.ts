import { describe, expect, it } from "vitest";
import { COTRAIN, COTRAIN_TOKENS, PRETRAINED, ROBOT_ONLY, comparisonLines, demoArms, resultTable, scoreActions, summarizeSeeds } from "@cotrain/cli";
import type { ArmResult, Measures, SeedRun } from "@cotrain/cli";
import type { ActionPredictions } from "@cotrain/trainer";
import { cli } from "./fixtures.js";

/** A 7-D action (dx, dy, dz, droll, dpitch, dyaw, gripper). */
const act = (dx: number, dy: number, dz = 0): number[] => [dx, dy, dz, 0, 0, 0, 1];
const identity = (v: Float32Array): Float32Array => v;

/** Predictions for steps of episodes: [sample id, predicted, expert]. */
function predictions(steps: [string, number[], number[]][]): ActionPredictions {
  return {
    sampleIds: steps.map((s) => s[0]),
    width: 7,
    predicted: Float32Array.from(steps.flatMap((s) => s[1])),
    expert: Float32Array.from(steps.flatMap((s) => s[2])),
    mask: new Float32Array(steps.length).fill(1),
  };
}

describe("scoreActions (the demo's success rate)", () => {
  it("a prediction equal to the expert's action succeeds; its negation fails", () => {
    const expert = [act(0.06, 0.02), act(0.05, -0.04), act(0, 0, -0.05)]; // the last step descends: not judged
    const steps = (pick: (e: number[]) => number[]): [string, number[], number[]][] => expert.map((e, t) => [`synth/eval/episode_000000#${t}`, pick(e), e]);
    const same = scoreActions([predictions(steps((e) => e))], identity);
    expect(same).toMatchObject({ mse: 0, episodes: 1, successes: 1, successRate: 1, judgedSteps: 2, stepSuccessRate: 1 });
    const negated = scoreActions([predictions(steps((e) => e.map((v) => -v)))], identity);
    expect(negated).toMatchObject({ episodes: 1, successes: 0, successRate: 0, judgedSteps: 2, stepSuccessRate: 0 });
    // MSE over every entry of every row: (2v)² summed / (3 rows × 7)
    const sq = expert.flat().reduce((s, v) => s + (2 * v) ** 2, 0);
    expect(negated.mse).toBeCloseTo(sq / 21, 6); // float32 actions
  });

  it("judges episodes by the majority of their judged steps, across batches", () => {
    const e = act(0.05, 0);
    const good = act(0.04, 0.01);
    const bad = act(-0.04, 0);
    const score = scoreActions(
      [
        predictions([
          ["synth/zeroshot/episode_000000#0", good, e],
          ["synth/zeroshot/episode_000000#1", good, e],
          ["synth/zeroshot/episode_000001#0", good, e],
        ]),
        predictions([
          ["synth/zeroshot/episode_000000#2", bad, e], // episode 0: 2 of 3 → success
          ["synth/zeroshot/episode_000001#1", bad, e], // episode 1: 1 of 2, not more than half → failure
          ["synth/zeroshot/episode_000002#0", bad, act(0.001, 0.001)], // episode 2: nothing judged → not counted
        ]),
      ],
      identity,
    );
    expect(score).toMatchObject({ episodes: 2, successes: 1, successRate: 0.5, judgedSteps: 5 });
    expect(score.stepSuccessRate).toBeCloseTo(3 / 5, 12);
  });

  it("judges directions in the world's units, after unnormalizing", () => {
    // Normalized dx 0 stands for +0.05 in the world, so a normalized (0, 0) prediction moves right there.
    const unnormalize = (v: Float32Array): Float32Array => v.map((x, i) => (i < 2 ? 0.05 * x + (i === 0 ? 0.05 : 0) : x));
    const expert = [0.6, 0, 0, 0, 0, 0, 1]; // world (0.08, 0): right
    const zeroNormalized = [0, 0, 0, 0, 0, 0, 1]; // world (0.05, 0): right as well
    expect(scoreActions([predictions([["synth/eval/episode_000000#0", zeroNormalized, expert]])], unnormalize).successes).toBe(1);
    expect(scoreActions([predictions([["synth/eval/episode_000000#0", zeroNormalized, expert]])], identity).successes).toBe(0);
  });
});

const measures = (m: Partial<Measures>): Measures => ({
  actionMse: null,
  actionSuccess: null,
  zeroShotMse: null,
  zeroShotSuccess: null,
  vqaAccuracy: null,
  vqaLoss: null,
  scores: { eval: null, zeroshot: null },
  ...m,
});

function run(seed: number, vqa: { pre: number; robot: number; co: number }, zeroShot: { robot: number; co: number; tokens: number }, mse: { robot: number; co: number; tokens: number }): SeedRun {
  const arm = (name: string, webShare: number, actions: "continuous" | "tokens", m: Partial<Measures>): ArmResult => ({ name, webShare, actions, runDir: `/r/${seed}/${name}`, measures: measures(m), seconds: 1 });
  return {
    seed,
    before: measures({ vqaAccuracy: vqa.pre, actionMse: 0.4, zeroShotSuccess: 0.1 }),
    pretrainDir: `/r/${seed}/pretrain`,
    arms: [
      arm(ROBOT_ONLY, 0, "continuous", { vqaAccuracy: vqa.robot, zeroShotSuccess: zeroShot.robot, actionMse: mse.robot, actionSuccess: 0.8 }),
      arm(COTRAIN, 0.5, "continuous", { vqaAccuracy: vqa.co, zeroShotSuccess: zeroShot.co, actionMse: mse.co, actionSuccess: 0.8 }),
      arm(COTRAIN_TOKENS, 0.5, "tokens", { vqaAccuracy: 0.5, zeroShotSuccess: zeroShot.tokens, actionMse: mse.tokens, actionSuccess: 0.6 }),
    ],
    seconds: 10,
  };
}

describe("summarizeSeeds (mean, min–max and whether differences exceed the spread)", () => {
  const runs = [
    run(0, { pre: 0.8, robot: 0.1, co: 0.78 }, { robot: 0.2, co: 0.5, tokens: 0.3 }, { robot: 0.1, co: 0.11, tokens: 0.2 }),
    run(1, { pre: 0.9, robot: 0.0, co: 0.85 }, { robot: 0.3, co: 0.6, tokens: 0.5 }, { robot: 0.12, co: 0.1, tokens: 0.3 }),
    run(2, { pre: 0.85, robot: 0.2, co: 0.8 }, { robot: 0.25, co: 0.7, tokens: 0.6 }, { robot: 0.11, co: 0.12, tokens: 0.25 }),
  ];

  it("summarizes every measure per arm over the seeds", () => {
    const s = summarizeSeeds(runs);
    expect(s.seeds).toEqual([0, 1, 2]);
    expect(s.arms.map((a) => a.name)).toEqual([PRETRAINED, ROBOT_ONLY, COTRAIN, COTRAIN_TOKENS]);
    const robot = s.arms[1]!;
    expect(robot.metrics.vqaAccuracy).toMatchObject({ min: 0, max: 0.2, n: 3 });
    expect(robot.metrics.vqaAccuracy!.mean).toBeCloseTo(0.1, 12);
    // the drop is taken per seed against that seed's pretrained model
    expect(robot.metrics.vqaDrop!.values.map((v) => Number(v.toFixed(6)))).toEqual([0.7, 0.9, 0.65]);
    expect(s.arms[0]!.metrics.vqaDrop).toBeNull();
    expect(s.arms[0]!.metrics.actionSuccess).toBeNull(); // null in every seed
  });

  it("says a difference exceeds the spread exactly when the ranges do not overlap", () => {
    const byLabel = new Map(summarizeSeeds(runs).comparisons.map((c) => [`${c.metric} ${c.a} ${c.b}`, c]));
    const get = (metric: string, a: string, b: string) => byLabel.get(`${metric} ${a} ${b}`)!;
    // pretrained [0.8, 0.9] vs robot only [0, 0.2]: apart
    expect(get("vqaAccuracy", PRETRAINED, ROBOT_ONLY)).toMatchObject({ exceedsSpread: true });
    expect(get("vqaAccuracy", PRETRAINED, ROBOT_ONLY).difference).toBeCloseTo(0.75, 12);
    // co-train [0.78, 0.85] vs pretrained [0.8, 0.9]: overlap
    expect(get("vqaAccuracy", COTRAIN, PRETRAINED).exceedsSpread).toBe(false);
    // zero-shot success co-train [0.5, 0.7] vs robot only [0.2, 0.3]: apart
    expect(get("zeroShotSuccess", COTRAIN, ROBOT_ONLY)).toMatchObject({ exceedsSpread: true });
    // MSE co-train [0.1, 0.12] vs robot only [0.1, 0.12]: overlap
    expect(get("actionMse", COTRAIN, ROBOT_ONLY).exceedsSpread).toBe(false);
    // tokens [0.3, 0.6] vs continuous [0.5, 0.7]: overlap; tokens MSE [0.2, 0.3] vs [0.1, 0.12]: apart
    expect(get("zeroShotSuccess", COTRAIN_TOKENS, COTRAIN).exceedsSpread).toBe(false);
    expect(get("actionMse", COTRAIN_TOKENS, COTRAIN).exceedsSpread).toBe(true);
  });

  it("with one seed: no spread, so no verdict; a missing arm drops its comparisons", () => {
    const one = summarizeSeeds([runs[0]!]);
    expect(one.comparisons.length).toBe(6);
    expect(one.comparisons.every((c) => c.exceedsSpread === null)).toBe(true);
    expect(comparisonLines(one)[0]).toMatch(/\+0\.7000, spread unknown \(one seed; run with --seeds 3\)$/);
    const noTokens = summarizeSeeds([{ ...runs[0]!, arms: runs[0]!.arms.filter((a) => a.name !== COTRAIN_TOKENS) }]);
    expect(noTokens.comparisons.map((c) => c.a)).not.toContain(COTRAIN_TOKENS);
  });

  it("prints mean [min–max] cells and the verdicts", () => {
    const s = summarizeSeeds(runs);
    const table = resultTable(s).split("\n");
    expect(table[0]).toMatch(/^\| arm +\| action MSE +\| success +\| zero-shot MSE +\| zero-shot success +\| VQA acc +\| VQA drop +\|$/);
    expect(table.find((l) => l.startsWith(`| ${ROBOT_ONLY} `))).toContain("| 0.100 [0.000–0.200] |");
    expect(table.find((l) => l.startsWith(`| ${PRETRAINED} `))).toMatch(/\| - +\|$/);
    const lines = comparisonLines(s);
    expect(lines.find((l) => l.startsWith("zero-shot success, co-train 1:1 − robot only"))).toMatch(/: \+0\.3500, exceeds the spread: the ranges over 3 seeds do not overlap \(\[0\.500–0\.700\] vs \[0\.200–0\.300\]\)$/);
    expect(lines.find((l) => l.startsWith("in-distribution action MSE"))).toMatch(/within the spread/);
  });

  it("the sweep's arms are the issue's web shares, beside the tokens arm", () => {
    expect(demoArms([0, 0.25, 0.5, 0.75]).map((a) => [a.webShare, a.actions])).toEqual([
      [0, "continuous"],
      [0.5, "continuous"],
      [0.5, "tokens"],
      [0.25, "continuous"],
      [0.75, "continuous"],
    ]);
    expect(demoArms([]).map((a) => a.name)).toEqual([ROBOT_ONLY, COTRAIN, COTRAIN_TOKENS]);
  });
});

describe("cotrain demo's flags", () => {
  it("documents --seeds and --sweep and refuses a seed count below 1 before running anything", async () => {
    const help = await cli("demo", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--seeds <n> +run the whole experiment with seeds/);
    expect(help.stdout).toMatch(/--sweep +fine-tune with web shares 0, 0\.25, 0\.5 and 0\.75/);
    const zero = await cli("demo", "--seeds", "0", "--out", "/nonexistent/never-written");
    expect(zero.code).toBe(1);
    expect(zero.stderr).toContain('expected a positive integer, got "0"');
  });
});
