import { describe, expect, it } from "vitest";
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { fromRows } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import { checkHandles, openFdCount } from "@cotrain/test-utils";

const file = fileURLToPath(import.meta.url);
const rows = Array.from({ length: 4 }, (_, i) => ({ source: "demo", kind: "vqa" as const, sample_id: `q${i}` }));

/** The bug the check exists for: a source that holds a FileHandle across batches. */
function fileHandleSource(): Source {
  const inner = fromRows(rows, { batchSize: 2 });
  let handle: FileHandle | null = null;
  return {
    async next() {
      handle ??= await open(file, "r");
      return inner.next();
    },
    state: () => inner.state(),
    restore: (state) => inner.restore(state),
    reset: (epoch) => inner.reset(epoch),
    describe: () => "fileHandle",
    async close() {
      await handle?.close();
      handle = null;
    },
  };
}

describe("checkHandles", () => {
  it.skipIf(openFdCount() === null)("catches a FileHandle left to the garbage collector (DEP0137), and sees close() release it", async () => {
    const report = await checkHandles(fileHandleSource);
    expect(report.heldWhileReading).toBe(1);
    expect(report.leftAfterClose).toBe(0);
    expect(report.gcWarnings.some((w) => w.startsWith("DEP0137"))).toBe(true);
  });
});
