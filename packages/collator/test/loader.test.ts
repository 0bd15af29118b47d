import { describe, expect, it } from "vitest";
import { fromRows } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import { BatchLoader, createCollator, createCollatorPool } from "@cotrain/collator";
import { webRow } from "./fixtures.js";

const rows = Array.from({ length: 20 }, (_, i) => webRow(`q${i}`, [[`question ${i}?`, `answer ${i}`]]));

/** A source that counts its reads and can fail at read `failAt`. */
function counting(inner: Source, failAt = Number.POSITIVE_INFINITY): Source & { reads: number } {
  const s = {
    ...inner,
    reads: 0,
    async next() {
      s.reads++;
      if (s.reads === failAt) throw new Error(`read ${failAt} failed`);
      return inner.next();
    },
  };
  return s;
}

describe("BatchLoader", () => {
  it("reads at most `prefetch` batches ahead of the consumer", async () => {
    const source = counting(fromRows(rows, { batchSize: 2 }));
    const pool = createCollatorPool({ tokenizer: "byte", workers: 0, maxPending: 3 });
    const loader = new BatchLoader(source, pool);
    await loader.next();
    await new Promise((resolve) => setTimeout(resolve, 20)); // let the read-ahead run as far as it may
    expect(source.reads).toBe(4); // the batch handed out + 3 ahead
    await loader.drain();
    await pool.close();
  });

  it("raises a source's failure at its batch and reads nothing after it", async () => {
    const source = counting(fromRows(rows, { batchSize: 2 }), 3);
    const loader = new BatchLoader(source, createCollator({ tokenizer: "byte" }), { prefetch: 4 });
    expect((await loader.next())?.batch.sampleIds).toEqual(["q0", "q1"]);
    expect((await loader.next())?.batch.sampleIds).toEqual(["q2", "q3"]);
    await expect(loader.next()).rejects.toThrow("read 3 failed");
    expect(await loader.next()).toBeNull();
    expect(source.reads).toBe(3);
  });

  it("repeats into the next epoch when asked, telling the collator", async () => {
    const collate = createCollator({ tokenizer: "byte" });
    const loader = new BatchLoader(fromRows(rows.slice(0, 4), { batchSize: 2 }), collate, { repeat: true });
    const epochs: number[] = [];
    for (let i = 0; i < 5; i++) epochs.push((await loader.next())!.epoch);
    expect(epochs).toEqual([0, 0, 1, 1, 2]);
    await loader.drain();
    expect((collate.state() as { epoch: number }).epoch).toBeGreaterThanOrEqual(2);
  });
});
