import { copyFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReadmeExample } from "@cotrain/test-utils";

// The LeRobot README test runs the same README at the same time in another worker; running a copy under the
// git-ignored .readme/ keeps the two from writing one .readme/example.ts concurrently.
const readme = fileURLToPath(new URL("../../README.md", import.meta.url));
const copy = fileURLToPath(new URL("../../.readme/rlds/README.md", import.meta.url));

describe("README RLDS example", () => {
  it("runs and gives the documented result", async () => {
    mkdirSync(fileURLToPath(new URL("../../.readme/rlds/", import.meta.url)), { recursive: true });
    copyFileSync(readme, copy);
    const mod = await runReadmeExample(copy);
    expect(mod.rldsFirstIds).toEqual(["traj0_0#0", "traj0_0#1", "traj0_0#2", "traj0_0#3"]);
    expect(mod.rldsRestIds).toEqual(["traj0_0#4", "traj1_1#0", "traj1_1#1", "traj1_1#2"]);
    expect(mod.rldsState).toEqual({ epoch: 0, shard: 0, record: 0, offset: 0, step: 4, shards: 2, skipped: {} });
    expect(mod.rldsLastPad).toEqual([false, true]);
    expect(mod.rldsGripperQ99).toBe(1);
  });
});
