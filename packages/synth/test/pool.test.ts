import { describe, expect, it } from "vitest";
import { limiter, ordered, tee } from "@cotrain/synth";
import type { TeeStream } from "@cotrain/synth";

const tick = (ms = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function drain<T>(items: AsyncIterable<T>, delay = 0): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    out.push(item);
    if (delay) await tick(delay);
  }
  return out;
}

describe("limiter", () => {
  it("never runs more jobs than its slots and returns each job's result", async () => {
    const limit = limiter(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limit(async () => {
          running++;
          peak = Math.max(peak, running);
          await tick(i % 3);
          running--;
          return i * i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
    expect(peak).toBe(3);
    expect(() => limiter(0)).toThrow(/concurrency/);
  });
});

describe("ordered", () => {
  it("yields in index order with at most `ahead` items in progress", async () => {
    let started = 0;
    let finished = 0;
    let peak = 0;
    const got = await drain(
      ordered(12, 4, async (i) => {
        started++;
        peak = Math.max(peak, started - finished);
        await tick((12 - i) % 4);
        finished++;
        return i;
      }),
    );
    expect(got).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(peak).toBeLessThanOrEqual(4);
  });
});

describe("tee", () => {
  async function* numbers(n: number, failAt = -1): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) {
      if (i === failAt) throw new Error("source broke");
      await tick();
      yield i;
    }
  }

  it("gives every consumer every item, pulling the source once, with a bounded buffer", async () => {
    let pulled = 0;
    async function* counting(): AsyncGenerator<number> {
      for await (const i of numbers(50)) {
        pulled++;
        yield i;
      }
    }
    const [a, b, c] = tee(counting(), 3, 4);
    const [x, y, z] = await Promise.all([drain(a as AsyncIterable<number>), drain(b as AsyncIterable<number>, 1), drain(c as AsyncIterable<number>)]);
    const all = Array.from({ length: 50 }, (_, i) => i);
    expect([x, y, z]).toEqual([all, all, all]);
    expect(pulled).toBe(50);
  });

  it("lets the others go on when one consumer stops, and passes a source error to all", async () => {
    const [a, b] = tee(numbers(30), 2, 2);
    const first: number[] = [];
    const stopEarly = (async () => {
      for await (const i of a as AsyncIterable<number>) {
        first.push(i);
        if (i === 3) break;
      }
    })();
    const [, rest] = await Promise.all([stopEarly, drain(b as AsyncIterable<number>)]);
    expect(first).toEqual([0, 1, 2, 3]);
    expect(rest).toHaveLength(30);

    const [p, q] = tee(numbers(10, 5), 2);
    const results = await Promise.allSettled([drain(p as AsyncIterable<number>), drain(q as AsyncIterable<number>)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);

    const [s, t] = tee(numbers(40), 2, 2);
    (s as TeeStream<number>).cancel();
    expect(await drain(t as AsyncIterable<number>)).toHaveLength(40);
  });
});
