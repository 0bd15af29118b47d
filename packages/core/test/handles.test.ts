import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RandomAccessFile, collect, fromRows, openShards, writeShards } from "@cotrain/core";
import { checkHandles, openFdCount } from "@cotrain/test-utils";
import { mixedRows } from "./fixtures.js";

// File handles: openShards holds one shard file at a time (closed at the end of the shard, on close(), on an
// error), and a source dropped mid-shard without close() leaves neither a descriptor nor Node's DEP0137 warning.
const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-core-"));
const dirs = { arrow: tmp(), parquet: tmp() };
for (const format of ["arrow", "parquet"] as const) {
  await writeShards(fromRows(mixedRows(130), { batchSize: 10 }), dirs[format], { format, maxRowsPerShard: 60, rowGroupSize: 20 });
}

describe.skipIf(openFdCount() === null).each(["arrow", "parquet"] as const)("openShards (%s) file handles", (format) => {
  const open = () => openShards(dirs[format], { batchSize: 16 });

  it("closes on close() mid-shard, and a source dropped unclosed is collected without DEP0137 or a leaked descriptor", async () => {
    const report = await checkHandles(open);
    expect(report.heldWhileReading).toBe(1);
    expect(report.leftAfterClose).toBe(0);
    expect(report.leftAfterAbandon).toBe(0);
    expect(report.gcWarnings).toEqual([]);
  });

  it("holds no descriptor once every shard is read, before close()", async () => {
    const before = openFdCount();
    const source = open();
    expect((await collect(source)).reduce((n, b) => n + b.numRows, 0)).toBe(130);
    expect(openFdCount()).toBe(before);
    await source.close?.();
  });
});

describe("RandomAccessFile", () => {
  it("reads at positions, closes idempotently, waits for reads in flight and refuses reads after close", async () => {
    const path = join(tmp(), "bytes.bin");
    writeFileSync(path, Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
    const file = await RandomAccessFile.open(path);
    expect(file.size).toBe(256);
    const buffer = new Uint8Array(4);
    expect(await file.read(buffer, 0, 4, 100)).toBe(4);
    expect(Array.from(buffer)).toEqual([100, 101, 102, 103]);
    expect(Array.from(await file.readExactly(250, 6))).toEqual([250, 251, 252, 253, 254, 255]);
    await expect(file.readExactly(250, 7)).rejects.toThrow(/ends after 6/);
    const pending = file.read(new Uint8Array(8), 0, 8, 0);
    await Promise.all([file.close(), file.close()]);
    expect(await pending).toBe(8);
    expect(file.closed).toBe(true);
    await expect(file.read(buffer, 0, 4, 0)).rejects.toThrow(/closed/);
  });

  it("a read Node refuses at once (a negative position) rejects and leaves close() nothing to wait for", async () => {
    const path = join(tmp(), "bytes.bin");
    writeFileSync(path, Buffer.alloc(16));
    const file = await RandomAccessFile.open(path);
    await expect(file.read(new Uint8Array(4), 0, 4, -2)).rejects.toThrow();
    await file.close(); // hung forever before: the refused read was counted as pending
    expect(file.closed).toBe(true);
  });
});
