import { describe, expect, it } from "vitest";
import type { RecordBatch } from "apache-arrow";
import { fingerprint } from "@cotrain/core";
import type { JsonValue, Source } from "@cotrain/core";
import { mix } from "@cotrain/mixer";
import { cachedSource, drain } from "./helpers.js";

/** A source whose reads wait until the test opens its gate; it counts reads started and reads pending. */
function gated(inner: Source, open = false) {
  let release: (() => void) | null = null;
  let gate: Promise<void> = Promise.resolve();
  const close = (): void => {
    gate = new Promise((r) => (release = r));
  };
  if (!open) close();
  const counts = { started: 0, pending: 0 };
  const source: Source = {
    async next(): Promise<RecordBatch | null> {
      counts.started++;
      counts.pending++;
      await gate;
      counts.pending--;
      return inner.next();
    },
    state: () => inner.state(),
    restore: (s) => inner.restore(s),
    reset: (e) => inner.reset(e),
    describe: () => `gated(${inner.describe()})`,
  };
  return {
    source,
    counts,
    open() {
      release?.();
      gate = Promise.resolve();
    },
    close,
  };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe("prefetch", () => {
  it("reads ahead in the background up to `prefetch` batches per source, and no further", async () => {
    const a = gated(cachedSource("a", 400, 4), true);
    const b = gated(cachedSource("b", 400, 4), true);
    const mixer = mix({ sources: { a: a.source, b: b.source }, weights: "1:1", batchSize: 8, prefetch: 3 });
    await settle();
    expect(a.counts.started).toBe(0); // nothing is read before the first next()
    await mixer.next();
    await settle();
    // one batch of each consumed, three more read ahead
    expect([a.counts.started, b.counts.started]).toEqual([4, 4]);
    await mixer.next();
    await settle();
    expect([a.counts.started, b.counts.started]).toEqual([5, 5]);
  });

  it("keeps reading the other sources while a slow source's read is pending", async () => {
    const slow = gated(cachedSource("slow", 400, 4));
    const fast = gated(cachedSource("fast", 400, 4), true);
    const mixer = mix({ sources: { slow: slow.source, fast: fast.source }, weights: "1:1", batchSize: 8, prefetch: 2 });
    const first = mixer.next();
    await settle();
    expect(slow.counts).toEqual({ started: 1, pending: 1 });
    expect(fast.counts.started).toBe(2); // the fast source filled its read-ahead meanwhile
    slow.open();
    expect((await first)?.numRows).toBe(8);
  });

  it("issues the reads of different sources concurrently within a step", async () => {
    const a = gated(cachedSource("a", 40, 4));
    const b = gated(cachedSource("b", 40, 4));
    const mixer = mix({ sources: { a: a.source, b: b.source }, weights: "1:1", batchSize: 8, prefetch: 0 });
    const first = mixer.next();
    await settle();
    expect([a.counts.pending, b.counts.pending]).toEqual([1, 1]);
    a.open();
    b.open();
    expect((await first)?.numRows).toBe(8);
  });

  it("saves an exact state while read-ahead is in flight; read-ahead batches are read again after restore", async () => {
    const build = (open: boolean) => {
      const a = gated(cachedSource("a", 60, 4), open);
      const b = gated(cachedSource("b", 30, 2), open);
      return { a, b, mixer: mix({ sources: { a: a.source, b: b.source }, weights: "2:1", batchSize: 6, prefetch: 1, stop: "all_exhausted" }) };
    };
    const reference = (await drain(build(true).mixer)).map(fingerprint);
    const first = build(true);
    const head = [fingerprint((await first.mixer.next())!)];
    await settle(); // one batch per source read ahead
    first.a.close();
    first.b.close();
    head.push(fingerprint((await first.mixer.next())!)); // consumes the read-ahead; the next reads start and wait
    await settle();
    expect([first.a.counts.pending, first.b.counts.pending]).toEqual([1, 1]);
    const saved = JSON.parse(JSON.stringify(first.mixer.state())) as JsonValue;
    const restored = build(true).mixer;
    restored.restore(saved);
    expect([...head, ...(await drain(restored)).map(fingerprint)]).toEqual(reference);
    // restoring while the stale reads are still in flight: applied once they settle, their results dropped
    first.mixer.restore(saved);
    expect(first.mixer.state()).toEqual(saved);
    first.a.open();
    first.b.open();
    expect([...head, ...(await drain(first.mixer)).map(fingerprint)]).toEqual(reference);
  });
});
