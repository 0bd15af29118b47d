import { describe, expect, it } from "vitest";
import { ConfigError, rowsToBatch } from "@cotrain/core";
import { ActionTokenizer, IGNORE_INDEX, createByteTokenizer, createCollator } from "@cotrain/collator";
import type { Batch } from "@cotrain/collator";
import { robotRow, webRow } from "./fixtures.js";

const tokenizer = createByteTokenizer();
const act = ActionTokenizer.uniform({ vocabSize: tokenizer.vocabSize, dim: 4 });
const text = (ids: ArrayLike<number>): string => tokenizer.decode(Array.from(ids).filter((id) => id !== tokenizer.padId));
const row = (b: Batch, i: number): Int32Array => b.inputIds.subarray(i * b.seqLen, (i + 1) * b.seqLen);

describe("truncation and padding", () => {
  it("cuts a robot row's instruction, never its action tokens or the fixed prompt", async () => {
    const collate = createCollator({ tokenizer, template: "openvla", maxLength: 70, actions: { type: "tokens", tokenizer: act } });
    const instruction = "pick up the red block that is next to the blue bowl on the left";
    const batch = await collate(rowsToBatch([robotRow("r", instruction, [0, 0.5, -0.5, 1])]));
    expect(batch.seqLen).toBe(70);
    const ids = Array.from(row(batch, 0));
    const prompt = tokenizer.decode(ids.slice(0, 70 - 5));
    expect(prompt.startsWith("<s>In: What action should the robot take to pick up")).toBe(true);
    expect(prompt.endsWith("?\nOut:")).toBe(true);
    expect(instruction.startsWith(prompt.slice("<s>In: What action should the robot take to ".length, -"?\nOut:".length))).toBe(true);
    expect(ids.slice(-5)).toEqual([...act.encode([0, 0.5, -0.5, 1]), tokenizer.eosId]);
    expect(Array.from(batch.labels).filter((l) => l !== IGNORE_INDEX)).toHaveLength(5);
    const stats = collate.stats();
    expect(stats.truncatedRows).toBe(1);
    expect(stats.truncatedTokens).toBe(1 + "In: What action should the robot take to ".length + instruction.length + "?\nOut:".length + 5 - 70);
  });

  it("fails clearly when maxLength cannot hold the fixed prompt and the action tokens", async () => {
    const collate = createCollator({ tokenizer, template: "openvla", maxLength: 30, actions: { type: "tokens", tokenizer: act } });
    await expect(collate(rowsToBatch([robotRow("r", "pick", [0, 0, 0, 0])]))).rejects.toThrow(ConfigError);
  });

  it("keeps the start of a web row, and counts a row whose answers were all cut", async () => {
    const collate = createCollator({ tokenizer, template: "plain", maxLength: 20 });
    const batch = await collate(rowsToBatch([webRow("a", [["short?", "yes"], ["and the second question?", "no"]]), webRow("b", [["a question far too long to leave room for the answer", "yes"]])]));
    expect(batch.seqLen).toBe(20);
    expect(text(row(batch, 0))).toBe("<s>short?\nyes</s>and the ");
    expect(batch.trainedPerRow[0]).toBe(4);
    expect(batch.trainedPerRow[1]).toBe(0);
    expect(collate.stats().rowsWithoutTrainedTokens).toEqual({ truncated: 1 });
    expect(collate.stats().truncatedRows).toBe(2);
  });

  it("never splits a run of image placeholder tokens", async () => {
    const collate = createCollator({ tokenizer, template: "plain", maxLength: 4, imageTokens: 5 });
    const batch = await collate(rowsToBatch([webRow("a", [["q", "a"]], { images: [new Uint8Array([1])], cameras: [""] })]));
    // BOS + 5 placeholders would be cut at 4: the whole run goes, leaving BOS alone.
    expect(Array.from(row(batch, 0))).toEqual([tokenizer.bosId]);
    expect(collate.stats().truncatedTokens).toBe(1 + 5 + 1 + 1 + 1 + 1 - 1);
  });

  it('pads to maxLength with padding "max" and rounds up to padToMultipleOf', async () => {
    const rows = rowsToBatch([webRow("a", [["q", "a"]])]);
    expect((await createCollator({ tokenizer, template: "plain", maxLength: 64, padding: "max" })(rows)).seqLen).toBe(64);
    expect((await createCollator({ tokenizer, template: "plain", padToMultipleOf: 8 })(rows)).seqLen).toBe(8);
    expect(() => createCollator({ tokenizer, padding: "max" })).toThrow(ConfigError);
  });
});
