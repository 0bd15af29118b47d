import { describe, expect, it } from "vitest";
import { runResumeTest } from "@cotrain/test-utils";
import { fingerprint } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";
import { mix } from "@cotrain/mixer";
import type { MixOptions } from "@cotrain/mixer";
import { drain, rowsSource } from "./helpers.js";
import { webWithoutRobotColumns } from "./schemas.js";

type Extra = Omit<MixOptions, "sources" | "batchSize"> & { batchSize?: number };

/** robot (shuffled per epoch), web (shuffled) and a third small source, odd batch sizes on every side. */
function make(extra: Extra) {
  return () =>
    mix({
      sources: { robot: rowsSource("robot", 70, { batchSize: 9, shuffleSeed: 1 }), web: rowsSource("web", 41, { batchSize: 4, shuffleSeed: 2 }), droid: rowsSource("droid", 23, { batchSize: 5 }) },
      batchSize: 10,
      seed: 21,
      ...extra,
    } as MixOptions);
}

const ramp = [
  { step: 0, weights: { robot: 4, web: 1, droid: 0 } },
  { step: 6, weights: { robot: 1, web: 1, droid: 1 }, interpolate: "linear" as const },
  { step: 10, weights: { robot: 0, web: 3, droid: 1 } },
];

describe("resume", () => {
  it("continues byte-identically in exact mode (grouped)", async () => {
    const report = await runResumeTest(make({ weights: "3:2:1", mode: "exact", stop: "first_exhausted" }));
    expect(report.total).toBeGreaterThan(5);
  });

  it("continues byte-identically in exact mode with a shuffled order and no read-ahead", async () => {
    await runResumeTest(make({ weights: { robot: 0.5, web: 0.3, droid: 0.2 }, mode: "exact", order: "shuffled", prefetch: 0, stop: "all_exhausted" }));
  });

  it("continues byte-identically in sampled mode (both orders)", async () => {
    await runResumeTest(make({ weights: "1:1:1", mode: "sampled", stop: "all_exhausted" }));
    await runResumeTest(make({ weights: "1:1:1", mode: "sampled", order: "shuffled", stop: { samples: 187 } }));
  });

  it("continues byte-identically with a schedule active (ramp and jump), both modes", async () => {
    for (const mode of ["exact", "sampled"] as const) {
      const report = await runResumeTest(make({ schedule: ramp, mode, stop: { steps: 16 } }), [0, 3, 6, 8, 11, 15, 16]);
      expect(report.total).toBe(16);
    }
  });

  it("continues byte-identically with deep prefetch over tiny source batches, at every batch", async () => {
    const build = () =>
      mix({
        sources: { robot: rowsSource("robot", 30, { batchSize: 1, shuffleSeed: 5 }), web: rowsSource("web", 11, { batchSize: 3, shuffleSeed: 6 }) },
        weights: "2:1",
        batchSize: 6,
        prefetch: 5,
        seed: 2,
        stop: "all_exhausted",
      });
    const report = await runResumeTest(build, Array.from({ length: 9 }, (_, k) => k));
    expect(report.total).toBe(8);
    expect(report.checked).toHaveLength(9);
  });

  it("continues byte-identically on a rank of a data-parallel group and with aligned schemas", async () => {
    await runResumeTest(make({ weights: "1:1:1", rank: 1, worldSize: 3, stop: "all_exhausted" }));
    const aligned = () => mix({ sources: { robot: rowsSource("robot", 40, { shuffleSeed: 3 }), web: webWithoutRobotColumns(30, 6) }, weights: "1:1", batchSize: 8, order: "shuffled", seed: 1 });
    await runResumeTest(aligned);
  });

  it("continues byte-identically inside a later epoch of the mixture (after reset)", async () => {
    const build = make({ weights: "2:2:1", stop: { steps: 6 } });
    const reference = build();
    await drain(reference);
    reference.reset();
    const expected = (await drain(reference)).map(fingerprint);
    const first = build();
    await drain(first);
    first.reset();
    const head = [await first.next(), await first.next()].map((b) => fingerprint(b!));
    const saved = JSON.parse(JSON.stringify(first.state())) as JsonValue;
    const second = build();
    second.restore(saved);
    const tail = (await drain(second)).map(fingerprint);
    expect([...head, ...tail]).toEqual(expected);
    expect(second.stats()).toEqual(reference.stats());
  });
});
