import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReadmeExample } from "@cotrain/test-utils";

describe("README example", () => {
  it("generates a tiny world that the readers read back", async () => {
    const mod = await runReadmeExample(fileURLToPath(new URL("../README.md", import.meta.url)));
    expect(mod.episodes).toEqual([3, 1, 1]);
    expect(mod.trainSteps).toBeGreaterThanOrEqual(30);
    expect(mod.rldsSteps).toBe(mod.trainSteps);
    expect(mod.lerobotSteps).toBe(mod.trainSteps);
    expect(mod.vqaTrain).toBe(9);
  });
});
