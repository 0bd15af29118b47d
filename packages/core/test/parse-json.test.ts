import { describe, expect, it } from "vitest";
import { FormatError, parseJson } from "@cotrain/core";

const bytes = (text: string | number[]): Uint8Array => (typeof text === "string" ? new TextEncoder().encode(text) : Uint8Array.from(text));
const where = { file: "meta/info.json" };

function errorOf(run: () => unknown): FormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    return error as FormatError;
  }
  throw new Error("expected a FormatError");
}

describe("parseJson: strict JSON from file bytes", () => {
  it("parses UTF-8 JSON, skipping a byte order mark", () => {
    expect(parseJson(bytes('{"task": "pick the cup ☕"}'), where, "X")).toEqual({ task: "pick the cup ☕" });
    expect(parseJson(bytes([0xef, 0xbb, 0xbf, 0x5b, 0x31, 0x5d]), where, "X")).toEqual([1]);
  });

  it("names the byte offset of the first byte that is not UTF-8, instead of replacing it with U+FFFD", () => {
    const input = bytes([...bytes('{"task": "caf'), 0xc3, 0x28, ...bytes('"}')]);
    const err = errorOf(() => parseJson(input, where, "LEROBOT_INFO_JSON"));
    expect(err).toMatchObject({ code: "LEROBOT_INFO_JSON", file: "meta/info.json", offset: 13 });
    expect(errorOf(() => parseJson(bytes([0x22, 0xff, 0x22]), where, "X")).offset).toBe(1);
  });

  it("names the byte offset where the parser stopped, counting multi-byte characters as their bytes", () => {
    expect(errorOf(() => parseJson(bytes('{"a": 1,}'), where, "X")).offset).toBe(8);
    expect(errorOf(() => parseJson(bytes('{"é": 1,}'), where, "X")).offset).toBe(9);
    expect(errorOf(() => parseJson(bytes('[1, 2'), where, "X")).offset).toBe(5);
    expect(errorOf(() => parseJson(bytes('[1, x]'), { file: "f", row: 3 }, "X", { offset: 100 }))).toMatchObject({ file: "f", row: 3, offset: 104 });
  });

  it("refuses values nested deeper than maxDepth, naming the path, at any depth without overflowing the stack", () => {
    const deep = `{"a": [${"[".repeat(200_000)}${"]".repeat(200_000)}]}`;
    const err = errorOf(() => parseJson(bytes(deep), where, "X"));
    expect(err.field).toMatch(/^a\[0\]\[0\]/);
    expect(parseJson(bytes(`${"[".repeat(64)}${"]".repeat(64)}`), where, "X")).toBeDefined();
    expect(() => parseJson(bytes(`${"[".repeat(65)}${"]".repeat(65)}`), where, "X")).toThrow(FormatError);
    expect(() => parseJson(bytes(`${"[".repeat(5)}${"]".repeat(5)}`), where, "X", { maxDepth: 4 })).toThrow(/deeper than 4/);
  });
});

describe("parseJson: the offset of faults V8 does not place (an unexpected token)", () => {
  it.each([
    ["[1, x]", 4],
    ['{"a": tru}', 6],
    ['{"a" 1}', 5],
    ["[1,]", 3],
    ["[01]", 2],
    ["[1] 2", 4],
    ["{,}", 1],
  ])("%s at %i", (text, offset) => {
    expect(errorOf(() => parseJson(bytes(text), where, "X")).offset).toBe(offset);
  });
});
