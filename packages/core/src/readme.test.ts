import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { runReadmeExample } from "@cotrain/test-utils";

describe("README example", () => {
  it("runs and gives the documented result", async () => {
    const mod = await runReadmeExample(fileURLToPath(new URL("../README.md", import.meta.url)));
    expect(mod.sizes).toEqual([5, 5]);
    expect(mod.ids).toEqual(Array.from({ length: 10 }, (_, i) => `q${i}`).sort());
    expect(mod.parquetIds).toEqual(["q2", "q3", "q4"]);
    expect(mod.rowGroups).toBe(4);
    expect(mod.shardUrl).toBe("https://data.example.org/bridge%20shards/part-00000.arrow");
    expect(mod.fetched).toBe(0);
  });
});
