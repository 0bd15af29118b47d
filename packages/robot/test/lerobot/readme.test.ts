import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReadmeExample } from "@cotrain/test-utils";

describe("README LeRobot example", () => {
  it("runs and gives the documented result", async () => {
    const mod = await runReadmeExample(fileURLToPath(new URL("../../README.md", import.meta.url)));
    expect(mod.lerobotRows).toBe(2);
    expect(mod.lerobotCameras).toEqual(["wrist"]);
    expect(mod.lerobotState).toEqual({ epoch: 0, position: 0, step: 2, episodes: 1, skipped: {} });
  });
});
