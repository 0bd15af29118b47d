import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FormatError, ValueError, fromRows } from "@cotrain/core";
import { computeStats, loadStats, openRlds, readRldsEpisodes, saveStats, writeRlds } from "@cotrain/robot";
import type { Episode, FeatureStats } from "@cotrain/robot";
import { bridgeEpisode, tmp } from "../rlds/fixtures.js";
import { exactQuantile } from "./exact.js";

const lengths = [12, 20, 7, 15, 9];

function columns(episodes: readonly Episode[], key: "actions" | "states", dim: number): number[][] {
  const out: number[][] = Array.from({ length: dim }, () => []);
  for (const e of episodes) (e[key] as Float32Array).forEach((v, i) => out[i % dim]!.push(v));
  return out;
}

function expectMatches(stats: FeatureStats, cols: number[][]): void {
  cols.forEach((values, d) => {
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
    expect(stats.count).toBe(n);
    expect(stats.mean[d]).toBeCloseTo(mean, 12);
    expect(stats.std[d]).toBeCloseTo(std, 12);
    expect(stats.min[d]).toBe(Math.min(...values));
    expect(stats.max[d]).toBe(Math.max(...values));
    for (const [q, got] of [[0.01, stats.q01[d]!], [0.99, stats.q99[d]!]] as const) {
      const exact = exactQuantile(values, q);
      expect(Math.abs(got - exact.value)).toBeLessThanOrEqual(Math.max(0.005 * Math.max(Math.abs(exact.lo), Math.abs(exact.hi)), 1e-6) * (1 + 1e-9));
    }
  });
}

describe("computeStats", () => {
  it("computes mean, std, min, max exactly and q01/q99 within the documented bound, from episodes or rows alike", async () => {
    const episodes = await Promise.all(lengths.map((n, i) => bridgeEpisode(i, n, false)));
    const fromEpisodes = await computeStats(episodes);
    expect(fromEpisodes).toMatchObject({ format: "cotrain.stats/1", sources: ["bridge"], numTransitions: 63, numTrajectories: 5, quantiles: { method: "log-bucket-sketch", relativeAccuracy: 0.005, minMagnitude: 1e-6 } });
    expectMatches(fromEpisodes.action, columns(episodes, "actions", 7));
    expectMatches(fromEpisodes.state!, columns(episodes, "states", 7));
    // The gripper dimension (0/1) is exact.
    expect([fromEpisodes.action.q01[6], fromEpisodes.action.q99[6]]).toEqual([0, 1]);

    const dir = tmp();
    await writeRlds(dir, episodes, { name: "bridge", preset: "bridge", shards: 2 });
    expect(await computeStats(await openRlds(dir, { batchSize: 8, chunk: 5 }))).toEqual(fromEpisodes);
    // Another order changes the last bits of the running mean only; extremes and quantiles do not depend on order.
    const shuffled = await computeStats(await readRldsEpisodes(dir, { shuffleEpisodes: true, seed: 4 }));
    for (const key of ["min", "max", "q01", "q99"] as const) expect(shuffled.action[key]).toEqual(fromEpisodes.action[key]);
    shuffled.action.mean.forEach((m, d) => expect(m).toBeCloseTo(fromEpisodes.action.mean[d]!, 14));
    shuffled.action.std.forEach((m, d) => expect(m).toBeCloseTo(fromEpisodes.action.std[d]!, 14));
  });

  it("saves and loads the statistics as JSON, and rejects a malformed file naming the field", async () => {
    const episodes = await Promise.all([0, 1].map((i) => bridgeEpisode(i, 6, false)));
    const stats = await computeStats(episodes);
    const path = join(tmp(), "dataset_statistics.json");
    await saveStats(path, stats);
    expect(await loadStats(path)).toEqual(stats);
    const json = JSON.parse(readFileSync(path, "utf8"));
    json.action.q99 = json.action.q99.slice(1);
    writeFileSync(path, JSON.stringify(json));
    const err = await loadStats(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ code: "STATS_FIELD", file: path, field: "action.q99" });
  });

  it("refuses input without robot rows or with a changing dimension", async () => {
    await expect(computeStats(fromRows([{ source: "vqa", kind: "vqa", sample_id: "a" }]))).rejects.toMatchObject({ constructor: ValueError, code: "STATS_EMPTY" });
    const a = await bridgeEpisode(0, 3, false);
    const b: Episode = { ...(await bridgeEpisode(1, 3, false)), actions: new Float32Array(3 * 6), actionDim: 6 };
    await expect(computeStats([a, b])).rejects.toMatchObject({ code: "STATS_DIM", id: b.id, field: "action" });
  });
});
