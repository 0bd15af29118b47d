import { describe, expect, it } from "vitest";
import { ConfigError, Rng, ValueError, rowsToBatch } from "@cotrain/core";
import type { RowInput } from "@cotrain/core";
import { ActionTokenizer, IGNORE_INDEX, KIND_ROBOT, createByteTokenizer, createCollator, loadTokenizer } from "@cotrain/collator";
import type { Batch, PromptTemplate } from "@cotrain/collator";
import { robotRow, webRow, writeBpeTokenizer } from "./fixtures.js";

const tokenizer = createByteTokenizer();

function labelsOf(batch: Batch, row: number): number[] {
  return Array.from(batch.labels.subarray(row * batch.seqLen, (row + 1) * batch.seqLen));
}

/** Everything a Batch reports about its masks, recomputed from the arrays. */
function expectCountsAgree(batch: Batch): void {
  const t = batch.seqLen;
  let trained = 0;
  for (let b = 0; b < batch.size; b++) {
    let rowTrained = 0;
    let seenPad = false;
    for (let i = 0; i < t; i++) {
      const k = b * t + i;
      if (batch.attentionMask[k] === 0) {
        seenPad = true;
        expect(batch.labels[k]).toBe(IGNORE_INDEX);
        expect(batch.inputIds[k]).toBe(tokenizer.padId);
      } else expect(seenPad, "right padding only").toBe(false);
      if (batch.labels[k] !== IGNORE_INDEX) {
        expect(batch.labels[k]).toBe(batch.inputIds[k]);
        rowTrained++;
      }
    }
    expect(batch.trainedPerRow[b]).toBe(rowTrained);
    trained += rowTrained;
  }
  expect(batch.numTrainedTokens).toBe(trained);
  const perRow = batch.actionMask.length / batch.size;
  let rows = 0;
  let entries = 0;
  for (let b = 0; b < batch.size; b++) {
    const m = Array.from(batch.actionMask.subarray(b * perRow, (b + 1) * perRow));
    entries += m.filter((x) => x === 1).length;
    if (m.some((x) => x === 1)) rows++;
    if (batch.kinds[b] !== KIND_ROBOT) expect(m.every((x) => x === 0)).toBe(true);
  }
  expect(batch.numActionRows).toBe(rows);
  expect(batch.numActionEntries).toBe(entries);
  expect(batch.actionMaskShape.reduce((a, x) => a * x, 1)).toBe(batch.actionMask.length);
  expect(batch.actionShape.reduce((a, x) => a * x, 1)).toBe(batch.actions.length);
}

describe("label masking", () => {
  it("a batch of only web rows has action mask all 0 and zero actions", async () => {
    const collate = createCollator({ tokenizer, template: "llava_v1", actions: { type: "continuous", dim: 7, horizon: 4 } });
    const batch = await collate(rowsToBatch([webRow("a", [["q?", "yes"]]), webRow("b", [["q2?", "no"], ["why?", "because"]])]));
    expect(batch.actionShape).toEqual([2, 4, 7]);
    expect(batch.actionMaskShape).toEqual([2, 4]);
    expect(Array.from(batch.actionMask)).toEqual(new Array(8).fill(0));
    expect(batch.actions.every((x) => x === 0)).toBe(true);
    expect(batch.numActionRows).toBe(0);
    expect(batch.numActionEntries).toBe(0);
    expect(batch.numTrainedTokens).toBe(" yes".length + 1 + " no".length + 1 + " because".length + 1);
    expectCountsAgree(batch);
  });

  it("a batch of only robot rows with robot text off trains no text token, and says so", async () => {
    const collate = createCollator({ tokenizer, template: "openvla", robotText: false, actions: { type: "continuous", dim: 2 } });
    const rows = [robotRow("r0", "pick", [0, 1]), robotRow("r1", "place", [1, 0], { messages: [{ role: "user", content: "place" }, { role: "assistant", content: "placing now" }] })];
    const batch = await collate(rowsToBatch(rows));
    expect(batch.numTrainedTokens).toBe(0);
    expect(batch.labels.every((l) => l === IGNORE_INDEX)).toBe(true);
    expect(Array.from(batch.actionMask)).toEqual([1, 1]);
    expect(collate.stats().rowsWithoutTrainedTokens).toEqual({ robot_text_off: 2 });
    // The answer text is still in the input (as context), just not a target.
    expect(new TextDecoder().decode(Uint8Array.from(Array.from(batch.inputIds.subarray(batch.seqLen, 2 * batch.seqLen)).filter((x) => x < 256)))).toContain(" placing now");
    expectCountsAgree(batch);
  });

  it("with action tokens and robot text off, robot rows train exactly their action tokens and EOS", async () => {
    const act = ActionTokenizer.uniform({ vocabSize: tokenizer.vocabSize, dim: 3 });
    const collate = createCollator({ tokenizer, template: "llava_v1", actions: { type: "tokens", tokenizer: act } });
    const rows = [robotRow("r0", "pick", [0, 0.5, -0.5], { messages: [{ role: "user", content: "pick" }, { role: "assistant", content: "ok" }] }), robotRow("r1", "push", [1, 1, 1])];
    const batch = await collate(rowsToBatch(rows));
    for (const b of [0, 1]) {
      const trained = labelsOf(batch, b).filter((l) => l !== IGNORE_INDEX);
      expect(trained.slice(0, 3).every((id) => act.isActionId(id))).toBe(true);
      expect(trained.slice(3)).toEqual([tokenizer.eosId]);
    }
    expect(batch.numTrainedTokens).toBe(8);
    expect(collate.stats().rowsWithoutTrainedTokens).toEqual({});
    expectCountsAgree(batch);
  });

  it("trains every assistant turn of a long conversation, never the system message", async () => {
    const collate = createCollator({ tokenizer, template: "llava_v1" });
    const row = webRow("c", [["one?", "first"], ["two?", "second"], ["three?", "third"]]);
    row.messages = [{ role: "system", content: "Be brief." }, ...(row.messages ?? [])];
    const batch = await collate(rowsToBatch([row]));
    const ids = Array.from(batch.inputIds);
    const text = new TextDecoder().decode(Uint8Array.from(ids.filter((x) => x < 256)));
    expect(text).toBe("Be brief. USER: one? ASSISTANT: firstUSER: two? ASSISTANT: secondUSER: three? ASSISTANT: third");
    const runs: number[][] = [];
    labelsOf(batch, 0).forEach((l, i, all) => {
      if (l === IGNORE_INDEX) return;
      if (i === 0 || all[i - 1] === IGNORE_INDEX) runs.push([]);
      runs[runs.length - 1]?.push(l);
    });
    expect(runs.map((r) => tokenizer.decode(r))).toEqual([" first</s>", " second</s>", " third</s>"]);
  });

  it("counts agree with the masks on a random mixed batch with chunks and padded steps", async () => {
    const rng = Rng.from(7, "masking");
    const act = ActionTokenizer.uniform({ vocabSize: tokenizer.vocabSize, dim: 2, bins: 64 });
    for (const actions of [{ type: "continuous", dim: 2, horizon: 3 } as const, { type: "tokens", tokenizer: act, horizon: 3 } as const]) {
      const collate = createCollator({ tokenizer, template: "plain", actions, robotText: true, maxLength: 40 });
      const rows: RowInput[] = Array.from({ length: 24 }, (_, i) => {
        if (rng.float() < 0.5) return webRow(`w${i}`, Array.from({ length: 1 + rng.int(3) }, (_, k) => [`question ${k} ${"x".repeat(rng.int(20))}`, rng.float() < 0.2 ? "" : `answer ${k}`] as [string, string]));
        const pad = [false, rng.float() < 0.5, rng.float() < 0.5].map((p, k, a) => p || (k > 1 && (a[1] as boolean)));
        return robotRow(`r${i}`, "go ".repeat(rng.int(8)), Array.from({ length: 6 }, () => rng.uniform(-1, 1)), { action_is_pad: pad });
      });
      const batch = await collate(rowsToBatch(rows));
      expectCountsAgree(batch);
      expect(batch.numActionEntries).toBe(rows.reduce((n, r) => n + (r.kind === "robot" ? (r.action_is_pad ?? []).filter((p) => !p).length : 0), 0));
      if (actions.type === "tokens") {
        // Action tokens of padded chunk steps are in the input but not trained.
        for (let b = 0; b < batch.size; b++) {
          if (batch.kinds[b] !== KIND_ROBOT) continue;
          const row = Array.from(batch.inputIds.subarray(b * batch.seqLen, (b + 1) * batch.seqLen));
          const first = row.findIndex((id) => act.isActionId(id));
          const pads = rows[b]?.action_is_pad ?? [];
          for (let k = 0; k < 6; k++) expect(batch.labels[b * batch.seqLen + first + k]).toBe(pads[Math.floor(k / 2)] ? IGNORE_INDEX : row[first + k]);
        }
      }
    }
  });

  it("counts web rows that have nothing to learn", async () => {
    const collate = createCollator({ tokenizer, template: "llava_v1" });
    await collate(rowsToBatch([{ source: "x", kind: "vqa", sample_id: "q", messages: [{ role: "user", content: "only a question" }] }]));
    expect(collate.stats().rowsWithoutTrainedTokens).toEqual({ no_answer: 1 });
  });

  it("refuses a template that marks prompt text as trained", async () => {
    const bad: PromptTemplate = { name: "bad", render: (input) => [{ type: "text", role: "user", trained: true, text: input.messages[0]?.content ?? "" }] };
    const collate = createCollator({ tokenizer, template: bad });
    await expect(collate(rowsToBatch([webRow("a", [["q", "a"]])]))).rejects.toThrow(ConfigError);
  });

  it("raises (or counts) text that encodes into the action token range", async () => {
    const bpe = await loadTokenizer(writeBpeTokenizer(0, 400));
    // Without reserved ids, the tail of this vocabulary is its last merges and the special tokens.
    expect(() => createCollator({ tokenizer: bpe, actions: { type: "tokens", tokenizer: ActionTokenizer.uniform({ vocabSize: bpe.vocabSize, dim: 1 }) } })).toThrow(/include the (bos|eos|pad|image) token/);
    const act = ActionTokenizer.uniform({ vocabSize: bpe.vocabSize - 4, dim: 1, bins: 8 });
    const tok = { ...bpe, vocabSize: bpe.vocabSize - 4, encode: bpe.encode.bind(bpe), decode: bpe.decode.bind(bpe), idToToken: bpe.idToToken.bind(bpe), tokenToId: bpe.tokenToId.bind(bpe) };
    const lastMerge = bpe.idToToken(act.firstId) as string;
    const text = bpe.decode([act.firstId]);
    expect(bpe.encode(text, { continuation: true })).toContain(act.firstId);
    const row = webRow("w", [["q", text]]);
    await expect(createCollator({ tokenizer: tok, template: "plain", actions: { type: "tokens", tokenizer: act } })(rowsToBatch([row]))).rejects.toThrow(ValueError);
    const counting = createCollator({ tokenizer: tok, template: "plain", actions: { type: "tokens", tokenizer: act }, textCollision: "count" });
    await counting(rowsToBatch([row]));
    expect(counting.stats().textIdsInActionRange).toBeGreaterThan(0);
    expect(lastMerge.length).toBeGreaterThan(1);
  });
});
