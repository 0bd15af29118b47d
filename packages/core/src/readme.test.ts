import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { runReadmeExample } from "@cotrain/test-utils";

describe("README example", () => {
  it("runs and gives the documented result", async () => {
    const mod = await runReadmeExample(fileURLToPath(new URL("../README.md", import.meta.url)));
    expect(mod.sizes).toEqual([5, 5]);
    expect(mod.ids).toEqual(Array.from({ length: 10 }, (_, i) => `q${i}`).sort());
  });
});
