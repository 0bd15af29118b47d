import { describe, expect, it } from "vitest";
import { rowsToBatch } from "@cotrain/core";
import { ActionTokenizer, IGNORE_INDEX, LLAVA_V1, createCollator, loadTokenizer } from "@cotrain/collator";
import type { Batch, TextTokenizer } from "@cotrain/collator";
import { robotRow, webRow, writeBpeTokenizer, writeUnigramTokenizer } from "./fixtures.js";

const WEB_TURNS: [string, string][] = [
  ["<image>\nWhat is the man holding?", "The man is holding a red umbrella."],
  ["What color is it?", "Red."],
];
const ANSWERS = [" The man is holding a red umbrella.</s>", " Red.</s>"];
const WEB_TEXT = `<s>${LLAVA_V1.system} USER: <image>\nWhat is the man holding? ASSISTANT: The man is holding a red umbrella.</s>USER: What color is it? ASSISTANT: Red.</s>`;

function realIds(batch: Batch, row: number): { ids: number[]; labels: number[] } {
  const t = batch.seqLen;
  const n = Array.from(batch.attentionMask.subarray(row * t, (row + 1) * t)).filter((m) => m === 1).length;
  return { ids: Array.from(batch.inputIds.subarray(row * t, row * t + n)), labels: Array.from(batch.labels.subarray(row * t, row * t + n)) };
}

/**
 * The alignment check, independent of how the collator cut segments: lay the tokens' texts end to end, require
 * the result to be exactly `text`, and require a token to be trained exactly when its characters lie inside one
 * of the `trained` substrings (and no token to straddle such a boundary).
 */
function expectAlignment(pieces: string[], labels: number[], ids: number[], text: string, trained: string[]): void {
  expect(pieces.join("")).toBe(text);
  const ranges = trained.map((t) => {
    const at = text.indexOf(t);
    expect(at).toBeGreaterThanOrEqual(0);
    return [at, at + t.length] as const;
  });
  let pos = 0;
  pieces.forEach((p, i) => {
    const [start, end] = [pos, pos + p.length];
    pos = end;
    const inside = ranges.some(([a, b]) => start >= a && end <= b);
    const overlaps = ranges.some(([a, b]) => start < b && end > a);
    expect(inside || !overlaps, `token ${i} ${JSON.stringify(p)} straddles a trained boundary`).toBe(true);
    expect(labels[i], `token ${i} ${JSON.stringify(p)}`).toBe(inside ? ids[i] : IGNORE_INDEX);
  });
}

describe("golden alignment, BPE tokenizer.json built in the test", () => {
  it("multi-turn web row: trained tokens are exactly the answers and their </s>", async () => {
    const tokenizer = await loadTokenizer(writeBpeTokenizer());
    const collate = createCollator({ tokenizer, template: "llava_v1" });
    const batch = await collate(rowsToBatch([webRow("w0", WEB_TURNS, { images: [new Uint8Array([0xff, 0xd8])], cameras: [""] })]));
    const { ids, labels } = realIds(batch, 0);
    expectAlignment(ids.map((id) => tokenizer.decode([id])), labels, ids, WEB_TEXT, ANSWERS);
    // Segment-by-segment encoding gives the same tokens as encoding the whole string here: every segment
    // boundary falls where the byte-level pre-tokenizer splits anyway.
    expect(ids).toEqual(tokenizer.encode(WEB_TEXT));
    expect(batch.numTrainedTokens).toBe(labels.filter((l) => l !== IGNORE_INDEX).length);
  });

  it("robot row: action tokens on the reserved tail ids, trained with </s>; the prompt is not", async () => {
    const tokenizer = await loadTokenizer(writeBpeTokenizer(256));
    const actions = ActionTokenizer.uniform({ vocabSize: tokenizer.vocabSize, dim: 3 });
    // The 256 action ids are exactly the 256 unused tokens at the end of the vocabulary (bin 0 = the last id).
    expect(tokenizer.idToToken(actions.firstId)).toBe("<unused_0>");
    expect(tokenizer.idToToken(actions.idOfBin(0))).toBe("<unused_255>");
    const collate = createCollator({ tokenizer, template: "openvla", actions: { type: "tokens", tokenizer: actions } });
    const batch = await collate(rowsToBatch([robotRow("r0", "pick up the red block", [-1, 0.999, 0.25])]));
    const { ids, labels } = realIds(batch, 0);
    const prompt = "<s>In: What action should the robot take to pick up the red block?\nOut:";
    const promptIds = ids.slice(0, ids.length - 4);
    expect(tokenizer.decode(promptIds)).toBe(prompt);
    expect(promptIds).toEqual(tokenizer.encode(prompt));
    const v = tokenizer.vocabSize;
    expect(ids.slice(-4)).toEqual([v - 1 - 0, v - 1 - 255, v - 1 - 160, tokenizer.eosId]);
    expect(labels).toEqual([...promptIds.map(() => IGNORE_INDEX), ...ids.slice(-4)]);
  });
});

describe("golden alignment, Unigram (SentencePiece-style) tokenizer.json", () => {
  const pieces = (tok: TextTokenizer, ids: number[]): string[] => ids.map((id) => tok.idToToken(id) ?? "?");

  it("multi-turn web row: answers trained, and no spurious ▁ at segment starts", async () => {
    const tokenizer = await loadTokenizer(writeUnigramTokenizer());
    const collate = createCollator({ tokenizer, template: "llava_v1" });
    const batch = await collate(rowsToBatch([webRow("w0", WEB_TURNS, { images: [new Uint8Array([0xff, 0xd8])], cameras: [""] })]));
    const { ids, labels } = realIds(batch, 0);
    // SentencePiece text: spaces are "▁" and the first text segment gets one "▁" prefix; later segments none.
    const text = `<s>▁${WEB_TEXT.slice(3).replaceAll(" ", "▁")}`;
    expectAlignment(pieces(tokenizer, ids), labels, ids, text, ANSWERS.map((a) => a.replaceAll(" ", "▁")));
  });

  it("robot row: appended action ids and </s> trained, the ▁-joined prompt untrained", async () => {
    const tokenizer = await loadTokenizer(writeUnigramTokenizer());
    const actions = ActionTokenizer.uniform({ vocabSize: tokenizer.vocabSize, dim: 2, bins: 16, placement: "append" });
    const collate = createCollator({ tokenizer, template: "openvla", actions: { type: "tokens", tokenizer: actions } });
    const batch = await collate(rowsToBatch([robotRow("r0", "put the cup in the sink", [-1, 1])]));
    const { ids, labels } = realIds(batch, 0);
    const v = tokenizer.vocabSize;
    expect(ids.slice(-3)).toEqual([v + 0, v + 15, tokenizer.eosId]);
    const prompt = "<s>▁In:▁What▁action▁should▁the▁robot▁take▁to▁put▁the▁cup▁in▁the▁sink?\nOut:";
    expect(pieces(tokenizer, ids.slice(0, -3)).join("")).toBe(prompt);
    expect(labels).toEqual([...ids.slice(0, -3).map(() => IGNORE_INDEX), ...ids.slice(-3)]);
    expect(batch.vocabSize).toBe(v + 16);
  });

  it("continuation encoding drops only the start-of-text ▁", async () => {
    const tokenizer = await loadTokenizer(writeUnigramTokenizer());
    expect(pieces(tokenizer, tokenizer.encode("USER: hi")).join("")).toBe("▁USER:▁hi");
    expect(pieces(tokenizer, tokenizer.encode("USER: hi", { continuation: true })).join("")).toBe("USER:▁hi");
    expect(pieces(tokenizer, tokenizer.encode(" the", { continuation: true })).join("")).toBe("▁the");
  });
});
