import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runReadmeExample } from "@cotrain/test-utils";

describe("README example", () => {
  it("runs and gives the documented result", async () => {
    const mod = await runReadmeExample(fileURLToPath(new URL("../README.md", import.meta.url)));
    expect(mod.trainedPerRow).toEqual([3, 8]);
    expect(mod.actionMask).toEqual([1, 0]);
    expect(mod.webTargets).toBe(" A cup.</s>");
    const view = (mod.view as string).split("\n");
    expect(view.slice(0, 3)).toEqual([
      'row 1 of 2: vqa, source "llava", sample "q1"',
      "  31 tokens (35 padding), 8 trained, action mask [0], image no",
      '  spans: [-]"<s>In: What is this?\\nOut:" [T]" A cup.</s>"',
    ]);
    expect(view[5]).toBe('      1      73    -100    -    "I"');
    expect(view[27]).toBe('     23      32      32    T    " "');
    expect(mod.poolSizes).toEqual([4, 4, 2]);
  });
});
