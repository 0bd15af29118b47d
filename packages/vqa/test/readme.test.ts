import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { runReadmeExample } from "@cotrain/test-utils";

describe("README example", () => {
  it("runs and gives the documented result", async () => {
    const mod = await runReadmeExample(fileURLToPath(new URL("../README.md", import.meta.url)));
    expect(mod.roles).toEqual(["user", "assistant"]);
    expect(mod.firstTurn).toBe("<image>\nWhat colour is the square?");
    expect(mod.imageCounts).toEqual([1, 0, 1]);
    const ids = mod.shuffledIds as string[];
    expect([...ids].sort()).toEqual(["q0", "q1", "q2"]);
    expect(mod.sameImage).toBe(true);
  });
});
