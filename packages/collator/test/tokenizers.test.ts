import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, FormatError, MissingError } from "@cotrain/core";
import { createByteTokenizer, loadTokenizer, tokenizerFromJson } from "@cotrain/collator";
import { CORPUS, writeBpeTokenizer, writeUnigramTokenizer } from "./fixtures.js";

describe("byte-level tokenizer", () => {
  it("encodes UTF-8 bytes and decodes them back exactly, specials by name", () => {
    const tok = createByteTokenizer({ specials: ["<sep>"], reserved: 10 });
    const text = "Pick up the 🍎 — déjà vu\n";
    const ids = tok.encode(text);
    expect(ids).toEqual(Array.from(new TextEncoder().encode(text)));
    expect(tok.decode(ids)).toBe(text);
    expect([tok.padId, tok.bosId, tok.eosId, tok.imageId, tok.tokenToId("<sep>")]).toEqual([256, 257, 258, 259, 260]);
    expect([tok.textIdLimit, tok.vocabSize]).toEqual([261, 271]);
    expect(tok.decode([tok.bosId as number, ...tok.encode("hi"), tok.eosId as number])).toBe("<s>hi</s>");
    expect(tok.idToToken(270)).toBe("<reserved_9>");
    expect(tok.idToToken(271)).toBeUndefined();
    expect(tok.tokenToId("A")).toBe(65);
    expect(tok.tokenToId("<0x0A>")).toBe(10);
    // Special token strings in text stay text: only templates place special ids.
    expect(tok.encode("</s>")).toEqual([60, 47, 115, 62]);
  });
});

describe("tokenizer.json through @huggingface/tokenizers", () => {
  it("loads a BPE tokenizer from a directory or a file path, with its special tokens", async () => {
    const dir = writeBpeTokenizer(3);
    for (const path of [dir, join(dir, "tokenizer.json")]) {
      const tok = await loadTokenizer(path);
      expect(tok.idToToken(tok.bosId as number)).toBe("<s>");
      expect(tok.idToToken(tok.eosId as number)).toBe("</s>");
      expect(tok.idToToken(tok.padId)).toBe("<pad>");
      expect(tok.idToToken(tok.imageId as number)).toBe("<image>");
      expect(tok.idToToken(tok.vocabSize - 1)).toBe("<unused_2>");
      for (const text of [...CORPUS, "unseen wörds ✓"]) expect(tok.decode(tok.encode(text))).toBe(text);
      // Merges make the corpus shorter than its bytes.
      expect(tok.encode(CORPUS[0] as string).length).toBeLessThan((CORPUS[0] as string).length * 0.7);
    }
  });

  it("loads a Unigram tokenizer and round-trips text made of its pieces", async () => {
    const tok = await loadTokenizer(writeUnigramTokenizer());
    expect(tok.unkId).toBe(0);
    const text = "The man is holding a red umbrella.";
    const ids = tok.encode(text);
    expect(ids.map((id) => tok.idToToken(id))).toEqual(["▁The", "▁man", "▁is", "▁holding", "▁a", "▁red", "▁umbrella."]);
    expect(tok.decode(ids)).toBe(text);
  });

  it("reads special tokens given as AddedToken objects, and accepts overrides", async () => {
    const dir = writeBpeTokenizer();
    const json = JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")) as Record<string, unknown>;
    const tok = tokenizerFromJson(json, { bos_token: { content: "<s>", __type: "AddedToken" }, eos_token: { content: "</s>" } });
    expect(tok.idToToken(tok.bosId as number)).toBe("<s>");
    expect(tok.padId).toBe(tok.eosId); // no pad or unk: padding falls back to EOS
    const swapped = tokenizerFromJson(json, {}, { bos: "<image>", eos: "<pad>" });
    expect(swapped.idToToken(swapped.bosId as number)).toBe("<image>");
    expect(() => tokenizerFromJson(json, { eos_token: "<nope>" })).toThrow(ConfigError);
  });

  it("raises typed errors for a missing or broken file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "collator-bad-"));
    await expect(loadTokenizer(join(dir, "absent"))).rejects.toThrow(MissingError);
    await expect(loadTokenizer(dir)).rejects.toThrow(MissingError);
    writeFileSync(join(dir, "tokenizer.json"), "{ not json");
    await expect(loadTokenizer(dir)).rejects.toThrow(FormatError);
    writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({ model: { type: "Nope" } }));
    await expect(loadTokenizer(dir)).rejects.toThrow(FormatError);
  });
});
