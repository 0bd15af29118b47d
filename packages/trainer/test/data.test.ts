import { describe, expect, it } from "vitest";
import { fromRows } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import { Prefetcher } from "@cotrain/trainer";
import type { Collate } from "@cotrain/trainer";
import { toyCollate, toyRows } from "./fixtures.js";

const ids = (c: Awaited<ReturnType<Collate>>): string => c.sampleIds.join(",");

function recordingCollate(): Collate & { epochs: number[] } {
  const epochs: number[] = [];
  const fn = Object.assign(async (b: Parameters<Collate>[0]) => toyCollate(b), { epochs, setEpoch: (e: number) => epochs.push(e) });
  return fn;
}

describe("Prefetcher", () => {
  it("hands out batches in order with the source state right after each one", async () => {
    const make = (): Source => fromRows(toyRows(12), { batchSize: 4 });
    const p = new Prefetcher(make(), toyCollate, (b) => b, 0);
    const first = await p.next();
    const second = await p.next();
    expect(ids(first!.value)).toBe("t0,t1,t2,t3");
    expect(ids(second!.value)).toBe("t4,t5,t6,t7");
    // Restoring the state saved with batch 1 continues with batch 2, although batch 3 was already prefetched.
    const again = make();
    again.restore(first!.sourceState);
    expect(ids(await toyCollate((await again.next())!))).toBe("t4,t5,t6,t7");
    await p.drain();
  });

  it("rolls over epochs, telling the collator, and ends on a source that stays empty", async () => {
    const collate = recordingCollate();
    const p = new Prefetcher(fromRows(toyRows(8), { batchSize: 4 }), collate, (b) => b, 0);
    const epochs: number[] = [];
    for (let i = 0; i < 5; i++) epochs.push((await p.next())!.epoch);
    expect(epochs).toEqual([0, 0, 1, 1, 2]);
    expect(collate.epochs).toEqual([1, 2]);
    expect((await p.next())!.collatorState).toEqual({ epoch: 2 });
    await p.drain();
    const empty = new Prefetcher(fromRows([], { batchSize: 4 }), toyCollate, (b) => b, 0);
    expect(await empty.next()).toBeNull();
  });

  it("overlaps asynchronous loading with a synchronous step", async () => {
    const base = fromRows(toyRows(40), { batchSize: 4 });
    const slow: Source = { ...base, next: async () => { await new Promise((r) => setTimeout(r, 40)); return base.next(); } };
    const p = new Prefetcher(slow, toyCollate, (b) => b, 0);
    await p.next();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const end = performance.now() + 60;
      while (performance.now() < end); // the "training step": blocks the thread longer than a load takes
      const t0 = performance.now();
      await p.next();
      waits.push(performance.now() - t0);
    }
    expect(Math.max(...waits)).toBeLessThan(30);
    await p.drain();
  });

  it("reports a failing fetch at the next call, not as an unhandled rejection", async () => {
    let n = 0;
    const base = fromRows(toyRows(40), { batchSize: 4 });
    const failing: Source = { ...base, next: async () => (++n === 2 ? Promise.reject(new Error("disk gone")) : base.next()) };
    const p = new Prefetcher(failing, toyCollate, (b) => b, 0);
    await p.next();
    await new Promise((r) => setTimeout(r, 10));
    await expect(p.next()).rejects.toThrow("disk gone");
  });
});
