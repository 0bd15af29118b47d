import { describe, expect, it } from "vitest";
import { batchToRows, collect, concat, filter, fromBatches, fromRows, map, rebatch, rowsToBatch, shuffle, take } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import { fingerprints, runResumeTest } from "@cotrain/test-utils";
import { mixedRows } from "./fixtures.js";

const rows = mixedRows(53);
const ids = async (source: Source): Promise<string[]> => (await collect(source)).flatMap((b) => batchToRows(b).map((r) => r.sample_id));

describe("composable sources", () => {
  it("fromRows batches rows in order", async () => {
    const batches = await collect(fromRows(rows, { batchSize: 10 }));
    expect(batches.map((b) => b.numRows)).toEqual([10, 10, 10, 10, 10, 3]);
    expect(await ids(fromRows(rows, { batchSize: 10 }))).toEqual(rows.map((r) => r.sample_id));
  });

  it("shuffle is deterministic for a seed, different for another, and loses nothing", async () => {
    const make = (seed: number) => shuffle(fromRows(rows, { batchSize: 7 }), { bufferSize: 20, seed, batchSize: 8 });
    const a = await ids(make(1));
    expect(await ids(make(1))).toEqual(a);
    expect(await ids(make(2))).not.toEqual(a);
    expect([...a].sort()).toEqual(rows.map((r) => r.sample_id).sort());
    expect(a).not.toEqual(rows.map((r) => r.sample_id));
  });

  it("shuffle gives a new order per epoch and repeats an epoch's order", async () => {
    const s = shuffle(fromRows(rows, { batchSize: 7 }), { bufferSize: 64, seed: 3 });
    const e0 = await ids(s);
    s.reset(1);
    const e1 = await ids(s);
    s.reset(0);
    expect(await ids(s)).toEqual(e0);
    expect(e1).not.toEqual(e0);
    expect([...e1].sort()).toEqual([...e0].sort());
  });

  it("rebatch cuts exact sizes across parent batches and can drop the last", async () => {
    const sizes = (await collect(rebatch(fromRows(rows, { batchSize: 7 }), 16))).map((b) => b.numRows);
    expect(sizes).toEqual([16, 16, 16, 5]);
    expect((await collect(rebatch(fromRows(rows, { batchSize: 7 }), 16, { dropLast: true }))).map((b) => b.numRows)).toEqual([16, 16, 16]);
    expect(await ids(rebatch(fromRows(rows, { batchSize: 7 }), 16))).toEqual(rows.map((r) => r.sample_id));
  });

  it("take, filter, map and concat do what they say", async () => {
    expect(await ids(take(fromRows(rows, { batchSize: 10 }), 23))).toEqual(rows.slice(0, 23).map((r) => r.sample_id));
    expect(await ids(filter(fromRows(rows, { batchSize: 10 }), (r) => r.kind === "vqa"))).toEqual(rows.filter((r) => r.kind === "vqa").map((r) => r.sample_id));
    const halves = concat([fromRows(rows.slice(0, 20), { batchSize: 6 }), fromRows(rows.slice(20), { batchSize: 6 })]);
    expect(await ids(halves)).toEqual(rows.map((r) => r.sample_id));
    const sliced = await collect(map(fromRows(rows, { batchSize: 10 }), (b) => b.slice(0, 1)));
    expect(sliced.map((b) => b.numRows)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it("describe prints the pipeline", () => {
    const s = rebatch(shuffle(fromRows(rows, { batchSize: 7, name: "demo" }), { bufferSize: 20, seed: 1 }), 16);
    expect(s.describe()).toBe("demo(53, batch=7) -> shuffle(buffer=20, seed=1) -> rebatch(16)");
  });

  it("validates options with messages that show the value", () => {
    expect(() => fromRows(rows, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => rebatch(fromRows(rows), -1)).toThrow(/got -1/);
    expect(() => shuffle(fromRows(rows), { bufferSize: 0, seed: 1 })).toThrow(/bufferSize/);
    expect(() => fromRows(rows).restore({ offset: -1 })).toThrow(/state.offset/);
  });
});

describe("resume: state after k batches, restored into a new pipeline, yields exactly the rest", () => {
  const cases: [string, () => Source][] = [
    ["fromRows", () => fromRows(rows, { batchSize: 6 })],
    ["fromBatches", () => fromBatches([rowsToBatch(rows.slice(0, 9)), rowsToBatch(rows.slice(9, 30))])],
    ["rebatch", () => rebatch(fromRows(rows, { batchSize: 7 }), 5)],
    ["shuffle", () => shuffle(fromRows(rows, { batchSize: 7 }), { bufferSize: 16, seed: 9, batchSize: 5 })],
    ["take", () => take(fromRows(rows, { batchSize: 4 }), 30)],
    ["filter", () => filter(fromRows(rows, { batchSize: 4 }), (r) => r.kind === "robot")],
    ["concat", () => concat([fromRows(rows.slice(0, 11), { batchSize: 4 }), fromRows(rows.slice(11), { batchSize: 5 })])],
    ["a composition", () => rebatch(shuffle(take(concat([fromRows(rows.slice(0, 30), { batchSize: 4 }), fromRows(rows.slice(30), { batchSize: 3 })]), 47), { bufferSize: 12, seed: "s", batchSize: 9 }), 8)],
  ];
  for (const [name, make] of cases) {
    it(`${name}`, async () => {
      const report = await runResumeTest(make, undefined);
      expect(report.total).toBeGreaterThanOrEqual(2);
      // every checkpoint from 0 to the end, not only the defaults
      await runResumeTest(make, Array.from({ length: report.total + 1 }, (_, k) => k));
    });
  }

  it("the fingerprints differ when the data differs (the check can fail)", async () => {
    const a = await fingerprints(fromRows(rows, { batchSize: 6 }));
    const b = await fingerprints(fromRows(mixedRows(53, 1), { batchSize: 6 }));
    expect(a).not.toEqual(b);
  });
});
