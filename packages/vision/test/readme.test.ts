import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { runReadmeExample } from "@cotrain/test-utils";

describe("README example", () => {
  it("runs and gives the documented result", async () => {
    const mod = await runReadmeExample(fileURLToPath(new URL("../README.md", import.meta.url)));
    expect(mod.shape).toEqual([32, 32, 3]);
    const [lo, hi] = mod.range as [number, number];
    expect(lo).toBeGreaterThanOrEqual(-1);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi - lo).toBeGreaterThan(1); // red and blue both present
    expect(mod.batchLength).toBe(2 * 32 * 32 * 3);
    expect(mod.reproducible).toBe(true);
  });
});
