import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runReadmeExample } from "@cotrain/test-utils";

describe("README example", () => {
  it("trains on wasm, lowers the loss and writes a checkpoint", async () => {
    const mod = await runReadmeExample(fileURLToPath(new URL("../README.md", import.meta.url)));
    expect(mod.backend).toBe("wasm");
    expect(mod.steps).toBe(24);
    expect(mod.lastLoss as number).toBeLessThan(mod.firstLoss as number);
    expect(mod.exactMatch).toBeGreaterThanOrEqual(0);
    expect(mod.exactMatch).toBeLessThanOrEqual(1);
    expect(existsSync(join(mod.checkpoint as string, "model.json"))).toBe(true);
  });
});
