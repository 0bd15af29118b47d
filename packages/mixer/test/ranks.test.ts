import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mix } from "@cotrain/mixer";
import type { MixMode } from "@cotrain/mixer";
import type { RecordBatch } from "apache-arrow";
import { cachedSource, countsOf, drain, idsOf, rowNumber, rowsSource } from "./helpers.js";

async function runRanks(worldSize: number, build: (rank: number) => ReturnType<typeof mix>): Promise<RecordBatch[][]> {
  return Promise.all(Array.from({ length: worldSize }, (_, rank) => drain(build(rank), 5000)));
}

describe("data-parallel ranks", () => {
  it("gives every rank the same proportions and disjoint rows that together cover the stream", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 3 }),
        fc.array(fc.integer({ min: 10, max: 120 }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 3, max: 12 }),
        fc.constantFrom<MixMode>("exact", "sampled"),
        fc.constantFrom("first_exhausted" as const, "all_exhausted" as const),
        async (worldSize, raw, lengths, batchSize, mode, stop) => {
          const names = raw.map((_, i) => `s${i}`);
          const perRank = await runRanks(worldSize, (rank) =>
            mix({ sources: Object.fromEntries(names.map((n, i) => [n, cachedSource(n, lengths[i] as number, 7)])), weights: raw, batchSize, mode, seed: 4, stop, rank, worldSize }),
          );
          const steps = perRank[0]!.length;
          // every rank takes the same number of steps (a data-parallel trainer needs this) with the same counts
          for (const batches of perRank) expect(batches.length).toBe(steps);
          for (let s = 0; s < steps; s++) {
            const counts = perRank.map((batches) => countsOf(batches[s] as RecordBatch, names).join());
            expect(new Set(counts).size).toBe(1);
          }
          // per source: the ranks' rows, in global order (step, then rank), are exactly the source's stream
          // 0, 1, 2, … (epochs repeating), so no row is shared between ranks and none is skipped
          names.forEach((n, i) => {
            const global: number[] = [];
            for (let s = 0; s < steps; s++) {
              for (const batches of perRank) for (const r of idsOf(batches[s] as RecordBatch)) if (r.source === n) global.push(rowNumber(r.id));
            }
            expect(global).toEqual(global.map((_, k) => k % (lengths[i] as number)));
          });
        },
      ),
      { seed: 77, numRuns: 40 },
    );
  });

  it("keeps ranks disjoint with shuffled sources and a shuffled order", async () => {
    const worldSize = 3;
    const perRank = await runRanks(worldSize, (rank) =>
      mix({ sources: { robot: rowsSource("robot", 90, { shuffleSeed: 8 }), web: rowsSource("web", 45, { shuffleSeed: 9 }) }, weights: "2:1", batchSize: 6, order: "shuffled", seed: 1, rank, worldSize }),
    );
    const ids = perRank.flat().flatMap((b) => idsOf(b).map((r) => r.id));
    expect(perRank.map((b) => b.length)).toEqual([7, 7, 7]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(7 * 6 * 3);
  });
});
