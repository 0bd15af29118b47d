import { describe, expect, it } from "vitest";
import { rowsToBatch } from "@cotrain/core";
import { ActionTokenizer, createByteTokenizer, createCollator, describeRow } from "@cotrain/collator";
import { robotRow, webRow } from "./fixtures.js";

describe("describe", () => {
  it("shows each token with its id, label and whether it is trained", async () => {
    const tokenizer = createByteTokenizer();
    const act = ActionTokenizer.uniform({ vocabSize: tokenizer.vocabSize, dim: 2 });
    const collate = createCollator({ tokenizer, template: "openvla", actions: { type: "tokens", tokenizer: act } });
    const batch = await collate(rowsToBatch([robotRow("r7", "go", [-1, 1]), webRow("w", [["Really long question?", "é"]])]));
    const text = collate.describe(batch, 0);
    const lines = text.split("\n");
    expect(lines[0]).toBe('row 0 of 2: robot, source "bridge", sample "r7"');
    expect(lines[1]).toContain("3 trained, action mask [1]");
    expect(lines[2]).toBe('  spans: [-]"<s>In: What action should the robot take to go?\\nOut:" [T]"<act bin=0><act bin=255></s>"');
    const table = lines.slice(4);
    expect(table).toHaveLength(batch.seqLen); // the robot row is the longest: no padding to leave out
    expect(table[0]).toMatch(/^\s+0\s+257\s+-100\s+-\s+"<s>"$/);
    expect(table.at(-3)).toMatch(/^\s+\d+\s+515\s+515\s+T\s+"<act bin=0>"$/);
    expect(table.at(-1)).toMatch(/^\s+\d+\s+258\s+258\s+T\s+"<\/s>"$/);
    // A multi-byte character shows whole in the spans and as bytes in the table; padding can be shown.
    const web = describeRow(batch, 1, { tokenizer, actionTokenizer: act, padding: true });
    expect(web).toContain('[T]" é</s>"');
    expect(web).toContain('"<0xC3>"');
    expect(web).toContain("(pad)");
    expect(collate.describe(batch, 1)).not.toContain("(pad)");
    expect(() => collate.describe(batch, 2)).toThrow(RangeError);
  });
});
