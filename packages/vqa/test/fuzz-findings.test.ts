// Regression tests for what the fuzzer (test/fuzz, target "llava") found: JSON may escape a lone surrogate
// ("\ud800"), which JSON.parse accepts but no UTF-8 column can hold; it reached the rows as U+FFFD.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FormatError, batchToRows, collect } from "@cotrain/core";
import { openLlava } from "@cotrain/vqa";
import { errorOf, tmp } from "./fixtures.js";

function llava(entries: string[]): string {
  const json = join(tmp(), "data.json");
  writeFileSync(json, `[\n${entries.join(",\n")}\n]\n`);
  return json;
}

const turn = (value: string) => `{"from": "human", "value": "${value}"}, {"from": "gpt", "value": "a"}`;

describe("LLaVA text that is not Unicode", () => {
  it.each([
    ["a turn's value", `{"id": "q1", "conversations": [${turn("what is \\ud800 this?")}]}`, "conversations[0].value"],
    ["an id", `{"id": "q\\udc00", "conversations": [${turn("hi")}]}`, "id"],
  ])("a lone surrogate in %s is VQA_BAD_TEXT naming the entry and field; skipped and counted under skip", async (_what, bad, field) => {
    const json = llava([`{"id": "q0", "conversations": [${turn("fine")}]}`, bad]);
    const err = await errorOf(() => collect(openLlava(json)));
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ code: "VQA_BAD_TEXT", file: json, row: 1, field });
    const reader = openLlava(json, { onError: "skip" });
    expect((await collect(reader)).flatMap(batchToRows).map((r) => r.sample_id)).toEqual(["q0"]);
    expect(reader.skipped()).toEqual({ VQA_BAD_TEXT: 1 });
  });

  it("a surrogate pair (an escaped emoji) is text", async () => {
    const json = llava([`{"id": "q0", "conversations": [${turn("smile \\ud83d\\ude00")}]}`]);
    const rows = (await collect(openLlava(json))).flatMap(batchToRows);
    expect(rows[0]!.messages[0]!.content).toBe("smile 😀");
  });
});
