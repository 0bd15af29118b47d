import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { runReadmeExample } from "@cotrain/test-utils";
import type { MixStats } from "@cotrain/mixer";

describe("README example", () => {
  it("runs and gives the documented result", async () => {
    const mod = await runReadmeExample(fileURLToPath(new URL("../README.md", import.meta.url)));
    expect(mod.kindsPerBatch).toEqual(Array.from({ length: 8 }, () => "robot,robot,robot,robot,vqa,vqa,vqa,vqa"));
    const stats = mod.stats as MixStats;
    expect(stats.sources.web).toMatchObject({ delivered: 32, epochs: 1, share: 0.5 });
    expect(stats.sources.robot).toMatchObject({ delivered: 32, epochs: 1, share: 0.5 });
    expect(stats.stopped).toEqual({ reason: "all_exhausted" });
    expect(mod.weights).toEqual({ robot: 0.5, web: 0.5 });
    expect(mod.resumedIdentically).toBe(true);
  });
});
