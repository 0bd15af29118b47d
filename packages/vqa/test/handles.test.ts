import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { collect } from "@cotrain/core";
import { checkHandles, openFdCount } from "@cotrain/test-utils";
import { openLlava, openParquetVqa, writeLlava, writeParquetVqa } from "@cotrain/vqa";
import { makeEntries, makeImage, tmp } from "./fixtures.js";

// File handles: a reader holds at most one file descriptor (plus image reads in flight), closes it at the end of its
// data and on close(), and one dropped mid-epoch without close() leaves neither a descriptor nor Node's DEP0137.
const images = await Promise.all([0, 1, 2].map((s) => makeImage(s)));
// Long enough text that the JSON spans several 256 KiB chunks: the cursor still holds the file after one batch.
const entries = makeEntries(1200, images).map((e) => ({ ...e, conversations: e.conversations.map((t) => ({ ...t, value: `${t.value} ${"padding ".repeat(40)}` })) }));
const dir = tmp();
const json = join(dir, "llava.json");
await writeLlava(json, entries, { imageRoot: join(dir, "images") });
const parquetFile = join(dir, "vqa.parquet");
await writeParquetVqa(parquetFile, entries.slice(0, 300), { rowGroupSize: 50, multiImage: true });

const readers = {
  llava: () => openLlava(json, { imageRoot: join(dir, "images"), batchSize: 32 }),
  parquetVqa: () => openParquetVqa(parquetFile, { batchSize: 32 }),
};

describe.skipIf(openFdCount() === null).each(Object.entries(readers))("%s file handles", (_name, open) => {
  it("closes on close() mid-epoch, and a reader dropped unclosed is collected without DEP0137 or a leaked descriptor", async () => {
    const report = await checkHandles(open);
    expect(report.heldWhileReading).toBeGreaterThanOrEqual(1); // the cursor's file, and any image read of the read-ahead in flight
    expect(report.leftAfterClose).toBe(0);
    expect(report.leftAfterAbandon).toBe(0);
    expect(report.gcWarnings).toEqual([]);
  });

  it("holds no descriptor once its data is read to the end, before close()", async () => {
    const before = openFdCount();
    const source = open();
    expect((await collect(source)).length).toBeGreaterThan(1);
    expect(openFdCount()).toBe(before);
    await source.close();
    await source.close();
  });
});
