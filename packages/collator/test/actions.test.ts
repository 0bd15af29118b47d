import { describe, expect, it } from "vitest";
import { ConfigError, Rng, ValueError, rowsToBatch } from "@cotrain/core";
import { ActionTokenizer, IGNORE_INDEX, createByteTokenizer, createCollator, loadTokenizer } from "@cotrain/collator";
import { CORPUS, robotRow, writeBpeTokenizer } from "./fixtures.js";

function expectRoundTrip(act: ActionTokenizer, values: Float32Array, low: number[], high: number[]): void {
  const ids = act.encode(values);
  const back = act.decode(ids);
  for (let k = 0; k < values.length; k++) {
    const d = k % act.dim;
    const clipped = Math.min(Math.max(values[k] as number, low[d] as number), high[d] as number);
    const bin = act.binOfId(ids[k] as number);
    // Float32 output: allow its rounding on top of the half-bin bound.
    expect(Math.abs((back[k] as number) - clipped)).toBeLessThanOrEqual(act.halfWidth(bin, d) + 1e-6);
    expect(back[k]).toBe(Math.fround(act.center(bin, d)));
  }
}

describe("ActionTokenizer", () => {
  it("uniform: 256 bins over [-1, 1] round-trip within half a bin in every dimension", () => {
    const act = ActionTokenizer.uniform({ vocabSize: 32000, dim: 7 });
    expect([act.bins, act.firstId, act.endId, act.modelVocabSize]).toEqual([256, 31744, 32000, 32000]);
    const rng = Rng.from(1, "uniform");
    const values = Float32Array.from({ length: 7 * 500 }, () => rng.uniform(-1.2, 1.2));
    values.set([-1, 1, 0, -0.9921875, 0.9921875, 1e-9, -1e-9]);
    expectRoundTrip(act, values, new Array(7).fill(-1), new Array(7).fill(1));
    // Bin edges are exact: -1 is bin 0 (id 31999), 1 is bin 255 (id 31744), 0 starts bin 128.
    expect(Array.from(act.encode([-1, 1, 0, -1e-9, 0, 0, 0]).slice(0, 4))).toEqual([31999, 31744, 31999 - 128, 31999 - 127]);
  });

  it("quantile: bins between per-dimension edges from data, including a degenerate (gripper) dimension", () => {
    const rng = Rng.from(2, "quantile");
    const samples = Array.from({ length: 2000 }, () => [rng.normal() * 0.3, rng.float() ** 3, rng.float() < 0.5 ? 0 : 1]);
    const bins = 32;
    const edges = [0, 1, 2].map((d) => {
      const sorted = samples.map((s) => s[d] as number).sort((a, b) => a - b);
      return Array.from({ length: bins + 1 }, (_, k) => sorted[Math.min(sorted.length - 1, Math.round((k / bins) * (sorted.length - 1)))] as number);
    });
    const act = ActionTokenizer.quantile({ vocabSize: 1000, edges, placement: "append" });
    expect([act.dim, act.bins, act.firstId, act.modelVocabSize]).toEqual([3, 32, 1000, 1032]);
    expectRoundTrip(act, Float32Array.from(samples.flat()), edges.map((e) => e[0] as number), edges.map((e) => e[bins] as number));
    expect(() => ActionTokenizer.quantile({ vocabSize: 1000, edges: [[0, 1, 0.5]] })).toThrow(ConfigError);
    expect(() => ActionTokenizer.quantile({ vocabSize: 1000, edges: [[0, 1], [0, 1, 2]] })).toThrow(ConfigError);
  });

  it("encodes chunks H×D and rejects bad input", () => {
    const act = ActionTokenizer.uniform({ vocabSize: 512, dim: 2, bins: 16 });
    expect(act.encode([0, 0, 1, -1]).length).toBe(4);
    expect(() => act.encode([0, 0, 0])).toThrow(ValueError);
    expect(() => act.encode([0, Number.NaN])).toThrow(ValueError);
    expect(() => act.binOfId(3)).toThrow(RangeError);
    expect(() => ActionTokenizer.uniform({ vocabSize: 100, dim: 2 })).toThrow(ConfigError);
  });

  it("action ids never collide with the text ids of the byte-level vocabulary", () => {
    const tok = createByteTokenizer();
    const act = ActionTokenizer.uniform({ vocabSize: tok.vocabSize, dim: 7 });
    expect(act.firstId).toBe(tok.textIdLimit);
    const every = tok.encode(String.fromCodePoint(...Array.from({ length: 0x2ff }, (_, i) => i + 1)) + "漢字🙂");
    expect(every.every((id) => id < act.firstId)).toBe(true);
    for (const id of [tok.bosId, tok.eosId, tok.padId, tok.imageId]) expect(act.isActionId(id as number)).toBe(false);
  });

  it("action ids never collide with text ids of a BPE vocabulary that reserves its tail", async () => {
    const tok = await loadTokenizer(writeBpeTokenizer(256));
    const act = ActionTokenizer.uniform({ vocabSize: tok.vocabSize, dim: 7 });
    const rng = Rng.from(3, "text");
    const alphabet = "abcdefghijklmnopqrstuvwxyz ABC.,?!\n'0123456789éß漢";
    const random = Array.from({ length: 200 }, () => Array.from({ length: 40 }, () => alphabet[rng.int(alphabet.length)]).join(""));
    for (const text of [...CORPUS, ...random]) {
      for (const continuation of [false, true]) expect(tok.encode(text, { continuation }).filter((id) => act.isActionId(id))).toEqual([]);
    }
    // Every ordinary vocabulary entry sits below the action range.
    for (let id = 0; id < act.firstId; id++) expect(tok.idToToken(id)?.startsWith("<unused_")).toBe(false);
  });
});

describe("actions in the Batch", () => {
  const tokenizer = createByteTokenizer();

  it("continuous chunks: [B, H, D] with the mask 1 on real steps only", async () => {
    const collate = createCollator({ tokenizer, actions: { type: "continuous", dim: 2, horizon: 3 } });
    const batch = await collate(rowsToBatch([robotRow("r", "go", [1, 2, 3, 4, 5, 6], { action_is_pad: [false, false, true] })]));
    expect(batch.actionShape).toEqual([1, 3, 2]);
    expect(Array.from(batch.actions)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(batch.actionMask)).toEqual([1, 1, 0]);
    expect([batch.numActionRows, batch.numActionEntries]).toEqual([1, 2]);
  });

  it("append placement grows the vocabulary and puts ids after it", async () => {
    const act = ActionTokenizer.uniform({ vocabSize: tokenizer.vocabSize, dim: 1, placement: "append" });
    const collate = createCollator({ tokenizer, actions: { type: "tokens", tokenizer: act } });
    const batch = await collate(rowsToBatch([robotRow("r", "go", [1])]));
    expect(batch.vocabSize).toBe(tokenizer.vocabSize + 256);
    const trained = Array.from(batch.labels).filter((l) => l !== IGNORE_INDEX);
    expect(trained).toEqual([tokenizer.vocabSize + 255, tokenizer.eosId]);
    expect(act.decode([trained[0] as number])[0]).toBeCloseTo(1 - 1 / 256, 6);
  });

  it("rejects actions that do not fit the layout, naming the row", async () => {
    const collate = createCollator({ tokenizer, actions: { type: "continuous", dim: 3 } });
    await expect(collate(rowsToBatch([robotRow("bad", "go", [1, 2])]))).rejects.toThrow(/id "bad".*expected 1 × 3/);
    await expect(collate(rowsToBatch([robotRow("chunk", "go", [1, 2, 3, 4, 5, 6], { action_is_pad: [false, false] })]))).rejects.toThrow(/horizon/);
    await expect(collate(rowsToBatch([robotRow("nan", "go", [1, Number.NaN, 3])]))).rejects.toThrow(ValueError);
    expect(() => createCollator({ tokenizer, actions: { type: "tokens", tokenizer: ActionTokenizer.uniform({ vocabSize: 999, dim: 1 }) } })).toThrow(/vocabulary of 999/);
  });
});
