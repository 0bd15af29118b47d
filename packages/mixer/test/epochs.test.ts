import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { RecordBatch } from "apache-arrow";
import { mix } from "@cotrain/mixer";
import { cachedSource, drain, idsOf, rowNumber, rowsSource } from "./helpers.js";

/** Per source, the row numbers delivered, in order. */
function streams(batches: RecordBatch[], names: string[]): number[][] {
  const out = names.map((): number[] => []);
  for (const batch of batches) for (const { source, id } of idsOf(batch)) out[names.indexOf(source)]!.push(rowNumber(id));
  return out;
}

/** Splits a source's delivered rows into epochs of `length` rows; each whole epoch must hold every row once. */
function checkEpochs(rows: number[], length: number): number {
  const epochs = Math.floor(rows.length / length);
  for (let e = 0; e <= epochs; e++) {
    const part = rows.slice(e * length, (e + 1) * length);
    expect(new Set(part).size).toBe(part.length); // no row twice within an epoch
    if (part.length === length) expect([...part].sort((a, b) => a - b)).toEqual(Array.from({ length }, (_, i) => i)); // none lost
  }
  return epochs;
}

describe("epochs and stopping", () => {
  it("neither duplicates nor loses a row within an epoch (random weights, lengths, modes, policies)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 4, max: 24 }),
        fc.constantFrom("exact" as const, "sampled" as const),
        fc.constantFrom("first_exhausted" as const, "all_exhausted" as const),
        fc.constantFrom(0, 2),
        async (raw, lengths, batchSize, mode, stop, prefetch) => {
          const names = raw.map((_, i) => `s${i}`);
          const sources = Object.fromEntries(names.map((n, i) => [n, rowsSource(n, lengths[i] as number, { batchSize: 5, shuffleSeed: i })]));
          const mixer = mix({ sources, weights: raw, batchSize, mode, seed: 11, stop, prefetch });
          const batches = await drain(mixer, 5000);
          const delivered = streams(batches, names);
          const stats = mixer.stats();
          names.forEach((n, i) => {
            const epochs = checkEpochs(delivered[i] as number[], lengths[i] as number);
            // epochs counts ends passed; a source that ended exactly at the last batch boundary may not be passed yet
            expect(stats.sources[n]!.epochs).toBeGreaterThanOrEqual(epochs - 1);
            expect(stats.sources[n]!.delivered).toBe((delivered[i] as number[]).length);
            if (stop === "all_exhausted") expect(delivered[i]!.length).toBeGreaterThanOrEqual(lengths[i] as number);
            else expect(delivered[i]!.length).toBeLessThanOrEqual(lengths[i] as number);
          });
          if (stop === "first_exhausted") {
            // the run ends only when some source cannot fill its share of the next batch
            expect(stats.stopped?.reason).toBe("first_exhausted");
            const short = names.indexOf(stats.stopped?.source as string);
            expect((lengths[short] as number) - (delivered[short] as number[]).length).toBeLessThan(batchSize);
          } else {
            expect(stats.stopped).toEqual({ reason: "all_exhausted" });
            names.forEach((n) => expect(stats.sources[n]!.epochs).toBeGreaterThanOrEqual(1));
          }
        },
      ),
      { seed: 1234, numRuns: 40 },
    );
  });

  it("restarts a smaller source with a new epoch and a new shuffle order under all_exhausted", async () => {
    const mixer = mix({ sources: { robot: rowsSource("robot", 64), web: rowsSource("web", 16, { shuffleSeed: 3 }) }, weights: "1:1", batchSize: 8, stop: "all_exhausted" });
    const [robot, web] = streams(await drain(mixer), ["robot", "web"]) as [number[], number[]];
    expect(robot).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(web).toHaveLength(64);
    const epochs = [0, 1, 2, 3].map((e) => web.slice(e * 16, (e + 1) * 16));
    for (const e of epochs) expect([...e].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(new Set(epochs.map((e) => e.join())).size).toBe(4); // every epoch has its own order
    expect(mixer.stats().sources.web).toMatchObject({ epochs: 4, epoch: 4 });
    expect(mixer.stats().sources.robot).toMatchObject({ epochs: 1, delivered: 64 });
  });

  it("stops after a fixed number of samples (a shorter last batch) or steps, repeating sources as needed", async () => {
    const sources = () => ({ a: cachedSource("a", 10, 4), b: cachedSource("b", 7, 4) });
    const bySamples = await drain(mix({ sources: sources(), weights: "1:1", batchSize: 8, stop: { samples: 60 } }));
    expect(bySamples.map((b) => b.numRows)).toEqual([8, 8, 8, 8, 8, 8, 8, 4]);
    const bySteps = mix({ sources: sources(), weights: "1:1", batchSize: 8, stop: { steps: 5 } });
    expect((await drain(bySteps)).map((b) => b.numRows)).toEqual([8, 8, 8, 8, 8]);
    expect(bySteps.stats().sources.b).toMatchObject({ delivered: 20, epochs: 2 });
    expect(bySteps.stats().stopped).toEqual({ reason: "steps" });
  });

  it("starts a new epoch of the mixture on reset, continuing the step, the schedule and the quota counters", async () => {
    const mixer = mix({ sources: { a: rowsSource("a", 12, { shuffleSeed: 1 }), b: rowsSource("b", 12, { shuffleSeed: 2 }) }, weights: "1:2", batchSize: 3 });
    const first = await drain(mixer);
    expect(first).toHaveLength(6);
    expect(await mixer.next()).toBeNull();
    mixer.reset();
    const second = await drain(mixer);
    expect(second).toHaveLength(6);
    expect(mixer.stats()).toMatchObject({ step: 12, epoch: 1, rows: 36 });
    expect(streams(second, ["a", "b"])[1]).not.toEqual(streams(first, ["a", "b"])[1]); // b reshuffled for its epoch 1
  });
});
