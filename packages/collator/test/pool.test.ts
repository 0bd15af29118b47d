import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, ImageError, fromRows } from "@cotrain/core";
import type { JsonValue, RowInput, Source } from "@cotrain/core";
import { ActionTokenizer, BatchLoader, batchFingerprint, createByteTokenizer, createCollator, createCollatorPool, loadTokenizer } from "@cotrain/collator";
import type { CollatorOptions, CollatorPool, LoadedBatch, TextTokenizer } from "@cotrain/collator";
import { robotRow, tinyJpeg, webRow, writeBpeTokenizer } from "./fixtures.js";

/** 61 rows of two robot sources and one web source: images of several sizes, text-only rows, action tokens. */
async function mixedRows(): Promise<RowInput[]> {
  const images = await Promise.all([[250, 0, 0, 40, 30], [0, 250, 0, 16, 12], [0, 0, 250, 33, 47], [200, 200, 0, 64, 48]].map(([r, g, b, w, h]) => tinyJpeg(r!, g!, b!, w, h)));
  return Array.from({ length: 61 }, (_, i) => {
    const image = images[i % images.length]!;
    if (i % 3 === 0) return robotRow(`r${i}`, `pick up the block number ${i}`, [Math.sin(i), Math.cos(i), (i % 7) / 7 - 0.5], { source: i % 2 ? "droid" : "bridge", images: [image], cameras: ["primary"] });
    if (i % 5 === 1) return webRow(`t${i}`, [[`text only question ${i}?`, `answer ${i}`]]);
    return webRow(`w${i}`, [[`<image>\nwhat colour is thing ${i}?`, `colour ${i % 4}`], ["and then?", "nothing more"]], { images: [image], cameras: ["image"] });
  });
}

const options = (tokenizer: TextTokenizer | "byte"): CollatorOptions => {
  const vocab = tokenizer === "byte" ? createByteTokenizer().vocabSize : tokenizer.vocabSize;
  return {
    tokenizer,
    template: "llava_v1",
    actions: { type: "tokens", tokenizer: ActionTokenizer.uniform({ dim: 3, vocabSize: vocab, bins: 32, placement: tokenizer === "byte" ? "tail" : "append" }) },
    image: { size: [12, 10], seed: 7, transform: { augment: "octo" } }, // seeded random crops + colour jitter
    epoch: 1,
  };
};

/** Everything a loader yields: each batch's fingerprint and the collator state right after it. */
async function run(source: Source, collate: CollatorPool | ReturnType<typeof createCollator>, limit = Number.POSITIVE_INFINITY): Promise<{ prints: string[]; states: JsonValue[]; items: LoadedBatch[] }> {
  const loader = new BatchLoader(source, collate, { epoch: 1 });
  const out = { prints: [] as string[], states: [] as JsonValue[], items: [] as LoadedBatch[] };
  while (out.prints.length < limit) {
    const item = await loader.next();
    if (item === null) break;
    out.prints.push(batchFingerprint(item.batch));
    out.states.push(item.collatorState as JsonValue);
    out.items.push(item);
    item.release(); // a pool fills these pixels again for a later batch: what they held must never show
  }
  await loader.drain();
  return out;
}

describe("createCollatorPool", async () => {
  const rows = await mixedRows();
  const pools: CollatorPool[] = [];
  const pool = (o: Parameters<typeof createCollatorPool>[0]): CollatorPool => {
    const p = createCollatorPool(o);
    pools.push(p);
    return p;
  };
  afterAll(async () => void (await Promise.all(pools.map((p) => p.close()))));
  const sequential = await run(fromRows(rows, { batchSize: 8 }), createCollator(options("byte")));

  it("gives byte-identical batches and states with 0, 1 and 4 workers as the one-at-a-time collator", async () => {
    expect(sequential.prints).toHaveLength(8);
    for (const workers of [0, 1, 4]) {
      const got = await run(fromRows(rows, { batchSize: 8 }), pool({ ...options("byte"), workers, maxPending: 6 }));
      expect(got.prints, `workers ${workers}`).toEqual(sequential.prints);
      expect(got.states, `workers ${workers}`).toEqual(sequential.states);
    }
    // Augmentation is on, so the epoch and the sample's key (not the worker) decide every pixel.
    expect(new Set(sequential.prints).size).toBe(8);
  });

  it.runIf(process.platform === "linux")("gives the same shrinkOnLoad batches on the main thread (libuv's pool) and in worker threads (calls in place)", async () => {
    const shrinking = (workers: number, shrinkOnLoad: boolean): CollatorOptions & { workers: number } => ({ ...options("byte"), image: { size: [12, 10], transform: { shrinkOnLoad } }, workers });
    const main = await run(fromRows(rows, { batchSize: 8 }), pool(shrinking(0, true)));
    expect((await run(fromRows(rows, { batchSize: 8 }), pool(shrinking(2, true)))).prints).toEqual(main.prints);
    // The 33×47, 40×30 and 64×48 images decode at half size for a 12×10 output: other pixels than the full decode.
    const full = await run(fromRows(rows, { batchSize: 8 }), pool(shrinking(0, false)));
    expect(full.prints.filter((p, i) => p !== main.prints[i]).length).toBeGreaterThan(0);
  });

  it("moves rows through reused shared slots, and without one when all are taken, with the same batches", async () => {
    // Batches of 2, 8, 8, 3, 8 rows all submitted at once to a pool with one row slot (maxPending 1): the first
    // takes the slot, the rest go as bytes of their own until it is free again; a later, larger batch grows it.
    const sizes = [2, 8, 8, 3, 8, 8];
    const batches = [];
    let at = 0;
    for (const size of sizes) {
      const b = await fromRows(rows.slice(at, at + size), { batchSize: size }).next();
      batches.push(b!);
      at += size;
    }
    const one = createCollator(options("byte"));
    const want = [];
    for (const b of [...batches, ...batches]) want.push(batchFingerprint(await one(b)));
    const p = pool({ ...options("byte"), workers: 2, maxPending: 1 });
    const got = await Promise.all(batches.map((b) => p.submit(b)));
    // and again, one at a time, now through the slot every time (the collator's state has moved on, as `one`'s has)
    for (const b of batches) got.push(await p.submit(b));
    expect(got.map((c) => batchFingerprint(c.batch))).toEqual(want);
  });

  it("resumes mid-epoch from a batch's source and collator state, with the pool on", async () => {
    const k = 3;
    const first = pool({ ...options("byte"), workers: 2 });
    const before = await run(fromRows(rows, { batchSize: 8 }), first, k);
    const saved = JSON.parse(JSON.stringify(before.items[k - 1])) as LoadedBatch;
    const source = fromRows(rows, { batchSize: 8 });
    source.restore(saved.sourceState);
    const second = pool({ ...options("byte"), workers: 2 });
    second.restore(saved.collatorState as JsonValue);
    const after = await run(source, second);
    expect([...before.prints, ...after.prints]).toEqual(sequential.prints);
    expect(after.states).toEqual(sequential.states.slice(k));
  });

  it("builds a Hugging Face tokenizer in its workers from the loaded one", async () => {
    const tokenizer = await loadTokenizer(writeBpeTokenizer());
    const want = await run(fromRows(rows, { batchSize: 16 }), createCollator(options(tokenizer)));
    const got = await run(fromRows(rows, { batchSize: 16 }), pool({ ...options(tokenizer), workers: 2 }));
    expect(got.prints).toEqual(want.prints);
  });

  it("raises a worker's failure as the same typed error, at its batch, after the batches before it", async () => {
    const bad = rows.map((r, i) => (i === 21 ? { ...r, images: [new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3, 0xff, 0xd9])] } : r));
    const p = pool({ ...options("byte"), workers: 2 });
    const loader = new BatchLoader(fromRows(bad, { batchSize: 8 }), p, { epoch: 1 });
    expect(batchFingerprint((await loader.next())!.batch)).toBe(sequential.prints[0]);
    expect(batchFingerprint((await loader.next())!.batch)).toBe(sequential.prints[1]);
    const error = await loader.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageError);
    expect(error).toMatchObject({ code: "IMAGE_UNDECODABLE", row: 5, id: "r21", field: "images" });
    await loader.drain();
  });

  it("refuses what a worker thread cannot rebuild, naming the option", () => {
    const custom: TextTokenizer = { ...createByteTokenizer(), recipe: undefined, encode: (t: string) => [...t].map((c) => c.charCodeAt(0) % 200), name: "custom" } as TextTokenizer;
    expect(() => createCollatorPool({ tokenizer: custom, workers: 1 })).toThrow(ConfigError);
    expect(() => createCollatorPool({ tokenizer: "byte", template: { name: "fn", render: () => [] }, workers: 1 })).toThrow(/template/);
    expect(() => createCollatorPool({ tokenizer: custom, workers: 0 })).not.toThrow(); // in-process needs no recipe
    expect(() => createCollatorPool({ tokenizer: "byte", workers: -1 })).toThrow(/workers/);
  });
});
