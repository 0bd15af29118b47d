import { describe, expect, it } from "vitest";
import { ConfigError, ValueError, rowsToBatch } from "@cotrain/core";
import { createByteTokenizer, createCollator, createCollatorPool } from "@cotrain/collator";
import type { Batch } from "@cotrain/collator";
import { robotRow, webRow } from "./fixtures.js";

const tokenizer = createByteTokenizer();
const arrays = (b: Batch): unknown[] => [b.inputIds, b.labels, b.attentionMask, b.actions, b.actionMask, b.kinds, b.sources].map((a) => Array.from(a));

describe("createCollator", () => {
  it("is deterministic and keeps source ids stable across batches and a state round trip", async () => {
    const options = { tokenizer, template: "llava_v1", actions: { type: "continuous", dim: 1 } } as const;
    const first = rowsToBatch([webRow("w", [["q", "a"]]), robotRow("r", "go", [0.5])]);
    const second = rowsToBatch([robotRow("r2", "stop", [0]), { ...webRow("x", [["q", "a"]]), source: "vqav2" }]);
    const a = createCollator(options);
    const b1 = await a(first);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const b2 = await a(second);
    expect(b2.sourceNames).toEqual(["llava", "bridge", "vqav2"]);
    expect(Array.from(b2.sources)).toEqual([1, 2]);
    const again = createCollator(options);
    expect(arrays(await again(first))).toEqual(arrays(b1));
    const resumed = createCollator(options);
    resumed.restore(saved);
    expect(arrays(await resumed(second))).toEqual(arrays(b2));
    expect(resumed.stats()).toEqual(a.stats());
    expect(() => resumed.restore({ epoch: -1 })).toThrow(TypeError);
  });

  it("rejects bad options with the option's name and value", () => {
    expect(() => createCollator({ tokenizer, maxLength: 0 })).toThrow(/`maxLength` must be a positive integer, got 0/);
    expect(() => createCollator({ tokenizer, template: "nope" })).toThrow(ConfigError);
    expect(() => createCollator({ tokenizer, imageTokens: 2, ...{ tokenizer: { ...tokenizer, imageId: null, encode: tokenizer.encode } } })).toThrow(/has no image token/);
    expect(() => createCollator({ tokenizer, image: { size: 8, cameras: "stack" } })).toThrow(/cameraOrder/);
    expect(() => createCollator({ tokenizer, actions: { type: "continuous", dim: 0 } })).toThrow(/actions.dim/);
  });

  it("names the row of a robot row without an action", async () => {
    const collate = createCollator({ tokenizer, actions: { type: "continuous", dim: 1 } });
    await expect(collate(rowsToBatch([webRow("w", [["q", "a"]]), robotRow("lost", "go", [0], { action: null })]))).rejects.toThrow(ValueError);
    await expect(collate(rowsToBatch([robotRow("lost", "go", [0], { action: null })]))).rejects.toThrow(/row 0, id "lost", field "action"/);
  });

  it("without `actions`, refuses the first robot row with a ConfigError naming the option and the value that fits", async () => {
    const collate = createCollator({ tokenizer });
    const web = await collate(rowsToBatch([webRow("w", [["q", "a"]])])); // a web-only stream needs no actions
    expect(web.actionFormat).toBe("none");
    const mixed = rowsToBatch([webRow("w", [["q", "a"]]), robotRow("r7", "go", [0.1, 0.2, 0.3])]);
    const error = await collate(mixed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: "ACTIONS_UNSET", row: 1, id: "r7", field: "action" });
    expect((error as Error).message).toMatch(/`actions` is not set.*\{type: "continuous", dim: 3\} fits this row.*\{type: "none"\}/);
    const chunk = rowsToBatch([robotRow("c", "go", [1, 2, 3, 4, 5, 6], { action_is_pad: [false, true] })]);
    await expect(collate(chunk)).rejects.toThrow(/\{type: "continuous", dim: 3, horizon: 2\}/);
    // The same refusal from a worker thread, of the same class.
    const pool = createCollatorPool({ tokenizer: "byte", workers: 1 });
    try {
      await expect(pool(mixed)).rejects.toMatchObject({ name: "ConfigError", code: "ACTIONS_UNSET", row: 1 });
      expect(await pool(mixed).catch((e: unknown) => e)).toBeInstanceOf(ConfigError);
    } finally {
      await pool.close();
    }
  });

  it("`actions: {type: \"none\"}` still trains robot rows on text only when asked for", async () => {
    const collate = createCollator({ tokenizer, actions: { type: "none" } });
    const batch = await collate(rowsToBatch([webRow("w", [["q", "a"]]), robotRow("r", "go", [0.1, 0.2, 0.3])]));
    expect(batch.actionFormat).toBe("none");
    expect(Array.from(batch.actionMask)).toEqual([0, 0]);
    expect(Array.from(batch.trainedPerRow)).toEqual([3, 0]); // " a</s>" on the web row (byte tokens " ", "a", "</s>"); nothing on the robot row
    expect(collate.stats().rowsWithoutTrainedTokens).toEqual({ robot_text_off: 1 });
  });
});
