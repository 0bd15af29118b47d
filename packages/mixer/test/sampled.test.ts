import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mix } from "@cotrain/mixer";
import { cachedSource, countsOf, drain } from "./helpers.js";

describe("sampled mode", () => {
  // Each row is an independent draw, so a source's row count over N rows is Binomial(N, w). With a fixed seed the
  // test is deterministic; the tolerance is a 5-sigma z-bound, |share - w| <= 5·sqrt(w(1 - w) / N) (a false alarm
  // would have probability below 1e-6 per source for a fresh seed).
  it("converges to the weights within a 5-sigma binomial bound (random weights and batch sizes)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 2, maxLength: 4 }),
        fc.integer({ min: 5, max: 64 }),
        fc.integer({ min: 0, max: 1000 }),
        async (raw, batchSize, seed) => {
          const names = raw.map((_, i) => `s${i}`);
          const rows = 6_000;
          const sources = Object.fromEntries(names.map((n) => [n, cachedSource(n, 50, 16)]));
          const mixer = mix({ sources, weights: raw, batchSize, mode: "sampled", seed, stop: { samples: rows } });
          const batches = await drain(mixer);
          expect(batches.reduce((n, b) => n + b.numRows, 0)).toBe(rows);
          const sum = raw.reduce((a, b) => a + b, 0);
          const stats = mixer.stats();
          names.forEach((n, i) => {
            const w = (raw[i] as number) / sum;
            expect(Math.abs(stats.sources[n]!.share - w)).toBeLessThanOrEqual(5 * Math.sqrt((w * (1 - w)) / rows));
            expect(stats.sources[n]!.targetShare).toBeCloseTo(w, 12);
          });
        },
      ),
      { seed: 99, numRuns: 10 },
    );
  });

  it("varies the composition from batch to batch (the draw is per row, not a quota)", async () => {
    const sources = { robot: cachedSource("robot", 64, 16), web: cachedSource("web", 64, 16) };
    const batches = await drain(mix({ sources, weights: { robot: 1, web: 1 }, batchSize: 32, mode: "sampled", seed: 5, stop: { steps: 20 } }));
    const robotCounts = new Set(batches.map((b) => countsOf(b, ["robot", "web"])[0]));
    expect(batches).toHaveLength(20);
    expect(robotCounts.size).toBeGreaterThan(3);
  });

  it("never draws a zero-weight source, and never reads it", async () => {
    let reads = 0;
    const idle = cachedSource("idle", 10, 5);
    const counting = { ...idle, next: () => (reads++, idle.next()) };
    const batches = await drain(mix({ sources: { a: cachedSource("a", 40, 8), idle: counting }, weights: [1, 0], batchSize: 8, mode: "sampled", seed: 2, stop: { steps: 10 } }));
    expect(batches.every((b) => countsOf(b, ["a", "idle"])[1] === 0)).toBe(true);
    expect(reads).toBe(0);
  });
});
