import { describe, expect, it } from "vitest";
import { ConfigError, rowsToBatch } from "@cotrain/core";
import { IGNORE_INDEX, chatTemplate, createByteTokenizer, createCollator, getTemplate, loadTokenizer, registerTemplate, templateNames } from "@cotrain/collator";
import type { Batch } from "@cotrain/collator";
import { robotRow, webRow, writeBpeTokenizer } from "./fixtures.js";

const tokenizer = createByteTokenizer();

/** The row's spans as [trained, text] pairs. */
function spans(batch: Batch, row = 0): [boolean, string][] {
  const out: [boolean, number[]][] = [];
  for (let i = 0; i < batch.seqLen; i++) {
    const k = row * batch.seqLen + i;
    if (batch.attentionMask[k] === 0) break;
    const trained = batch.labels[k] !== IGNORE_INDEX;
    if (out.length === 0 || out[out.length - 1]?.[0] !== trained) out.push([trained, []]);
    out[out.length - 1]?.[1].push(batch.inputIds[k] as number);
  }
  return out.map(([t, ids]) => [t, tokenizer.decode(ids)]);
}

describe("prompt templates", () => {
  it("registers the three built-ins by name", () => {
    expect(templateNames()).toEqual(expect.arrayContaining(["llava_v1", "openvla", "plain"]));
    expect(() => getTemplate("nope")).toThrow(/registered: .*llava_v1/);
  });

  it("OpenVLA: web rows as In/Out turns", async () => {
    const batch = await createCollator({ tokenizer, template: "openvla" })(rowsToBatch([webRow("a", [["What is it?", "A cup."], ["Color?", "Blue."]])]));
    expect(spans(batch)).toEqual([[false, "<s>In: What is it?\nOut:"], [true, " A cup.</s>"], [false, "In: Color?\nOut:"], [true, " Blue.</s>"]]);
  });

  it("plain: image first, then the text, answers trained", async () => {
    const batch = await createCollator({ tokenizer, template: "plain" })(rowsToBatch([webRow("a", [["<image>\ncaption this", "a dog"]], { images: [new Uint8Array([1])], cameras: [""] })]));
    expect(spans(batch)).toEqual([[false, "<s><image>caption this\n"], [true, "a dog</s>"]]);
  });

  it("a user template (ChatML-like) registered by name is used by the collator", async () => {
    registerTemplate({
      name: "test_chatml",
      bos: false,
      system: "You are a robot.",
      systemSuffix: "\n",
      user: { prefix: "<|user|>\n", suffix: "\n" },
      assistant: { prefix: "<|assistant|>\n", suffix: "<|end|>", eos: false },
      robotPrompt: "Task: {instruction}",
    });
    expect(() => registerTemplate(chatTemplate({ name: "test_chatml", user: { prefix: "" }, assistant: { prefix: "" } }))).toThrow(ConfigError);
    const collate = createCollator({ tokenizer, template: "test_chatml", robotText: true, actions: { type: "none" } });
    const batch = await collate(rowsToBatch([webRow("a", [["hi", "hello"]]), robotRow("r", "stack cups", [0], { messages: [{ role: "user", content: "stack cups" }, { role: "assistant", content: "stacking" }] })]));
    expect(spans(batch, 0)).toEqual([[false, "You are a robot.\n<|user|>\nhi\n<|assistant|>\n"], [true, "hello<|end|>"]]);
    expect(spans(batch, 1)).toEqual([[false, "You are a robot.\n<|user|>\nTask: stack cups\n<|assistant|>\n"], [true, "stacking<|end|>"]]);
  });

  it("validates a spec's robot prompt", () => {
    expect(() => chatTemplate({ name: "x", user: { prefix: "" }, assistant: { prefix: "" }, robotPrompt: "no slot" })).toThrow(TypeError);
  });

  it("a template's trailing space joins the next word, so BPE tokens match whole-string encoding", async () => {
    const bpe = await loadTokenizer(writeBpeTokenizer());
    // "ASSISTANT: " ends in a space and has no lead: the space moves into the answer segment.
    const spec = { name: "spaced", user: { prefix: "USER: " }, assistant: { prefix: " ASSISTANT: " } };
    const batch = await createCollator({ tokenizer: bpe, template: spec })(rowsToBatch([webRow("a", [["What is the man holding?", "The man is holding a red umbrella."]])]));
    const ids = Array.from(batch.inputIds);
    expect(ids).toEqual(bpe.encode("<s>USER: What is the man holding? ASSISTANT: The man is holding a red umbrella.</s>"));
    const trained = ids.filter((_, i) => batch.labels[i] !== IGNORE_INDEX);
    expect(bpe.decode(trained)).toBe(" The man is holding a red umbrella.</s>");
  });
});
