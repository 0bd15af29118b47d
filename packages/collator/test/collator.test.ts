import { describe, expect, it } from "vitest";
import { ConfigError, ValueError, rowsToBatch } from "@cotrain/core";
import { createByteTokenizer, createCollator } from "@cotrain/collator";
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
});
