import { describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError, ImageError, MissingError, TruncatedError, ValueError, batchToRows, collect } from "@cotrain/core";
import { runResumeTest } from "@cotrain/test-utils";
import { openLlava } from "@cotrain/vqa";
import { errorOf, makeImage, readRows, tmp } from "./fixtures.js";

const png = await makeImage(5);
const turns = (q = "<image>\nq") => [
  { from: "human", value: q },
  { from: "gpt", value: "a" },
];

/** A folder with an image root holding good.png, a corrupt and a truncated image, and a file outside the root. */
function setup(text: string) {
  const dir = tmp();
  const imageRoot = join(dir, "images");
  mkdirSync(join(imageRoot, "sub"), { recursive: true });
  writeFileSync(join(imageRoot, "sub", "good.png"), png);
  writeFileSync(join(imageRoot, "sub", "corrupt.png"), Buffer.from("this is not an image at all"));
  writeFileSync(join(imageRoot, "sub", "truncated.png"), png.subarray(0, Math.floor(png.length / 2)));
  writeFileSync(join(dir, "outside.png"), png);
  const json = join(dir, "data.json");
  writeFileSync(json, text);
  return { dir, json, imageRoot };
}

const asJson = (entries: unknown[]) => `[\n${entries.map((e) => JSON.stringify(e)).join(",\n")}\n]\n`;

describe("openLlava on malformed JSON", () => {
  it("names the byte offset of a syntax error the tokenizer finds", async () => {
    const text = `[{"id": "a", "conversations": []},\n {"id": nope}]`;
    const { json } = setup(text);
    const error = await errorOf(() => collect(openLlava(json)));
    expect(error).toBeInstanceOf(FormatError);
    // "n" may still begin `null`; the "o" after it is the first byte that cannot be JSON.
    expect(error).toMatchObject({ code: "LLAVA_JSON_SYNTAX", file: json, offset: text.indexOf("nope") + 1, row: 1 });
    expect(error.message).toMatch(/not skippable/);
  });

  it("names the byte offset of a structural error the parser finds, after multi-byte text", async () => {
    const text = `[{"id": "é✓😀", "conversations": [{"from": "human", "value": "日本"}]}, {"id": "b" "conversations": []}]`;
    const { json } = setup(text);
    const error = await errorOf(() => collect(openLlava(json, { onError: "skip" })));
    expect(error).toMatchObject({ name: "FormatError", code: "LLAVA_JSON_SYNTAX", offset: Buffer.from(text).indexOf('"conversations": []') });
  });

  it("raises TruncatedError at the end of a file cut short, even when skipping", async () => {
    const text = asJson([0, 1, 2, 3, 4].map((i) => ({ id: `e${i}`, conversations: turns("x") })));
    const { json } = setup(text.slice(0, text.length - 30));
    const source = openLlava(json, { onError: "skip", batchSize: 1 });
    const ids: string[] = [];
    const error = await errorOf(async () => {
      for (let b = await source.next(); b !== null; b = await source.next()) ids.push(...batchToRows(b).map((r) => r.sample_id));
    });
    // Entries 0-2 come out; entry 3 is complete but held as the reader's one-entry look-ahead when the end is hit.
    expect(ids).toEqual(["e0", "e1", "e2"]);
    expect(error).toBeInstanceOf(TruncatedError);
    expect(error).toMatchObject({ code: "LLAVA_TRUNCATED", file: json, offset: Buffer.byteLength(text) - 30 });
    expect(await errorOf(() => source.next())).toBe(error); // the stream cannot continue
  });

  it("refuses a top level that is not an array, and data after the array", async () => {
    expect(await errorOf(() => collect(openLlava(setup(`{"id": "a"}`).json)))).toMatchObject({ name: "FormatError", code: "LLAVA_NOT_ARRAY", offset: 0 });
    expect(await errorOf(() => collect(openLlava(setup(`[]\n[]`).json)))).toMatchObject({ name: "FormatError", code: "LLAVA_TRAILING_DATA", offset: 3 });
    expect(await errorOf(() => collect(openLlava(setup("").json)))).toMatchObject({ name: "TruncatedError", code: "LLAVA_TRUNCATED", offset: 0 });
  });
});

describe("openLlava on bad entries", () => {
  const cases: [string, unknown, new (...a: never[]) => Error, string, string][] = [
    ["an entry without conversations", { id: "x", image: "sub/good.png" }, MissingError, "VQA_NO_CONVERSATIONS", "conversations"],
    ["conversations that are not a list", { id: "x", conversations: "hello" }, FormatError, "VQA_BAD_CONVERSATIONS", "conversations"],
    ["an empty conversation", { id: "x", conversations: [] }, ValueError, "VQA_EMPTY_CONVERSATIONS", "conversations"],
    ["a turn without text", { id: "x", conversations: [{ from: "human" }] }, FormatError, "VQA_BAD_TURN", "conversations[0].value"],
    ["an unknown role", { id: "x", conversations: [{ from: "human", value: "q" }, { from: "robot", value: "a" }] }, ValueError, "VQA_UNKNOWN_ROLE", "conversations[1].from"],
    ["a missing image file", { id: "x", image: "sub/absent.jpg", conversations: turns() }, MissingError, "VQA_IMAGE_MISSING", "image"],
    ["an image that is not an image", { id: "x", image: "sub/corrupt.png", conversations: turns() }, ImageError, "IMAGE_UNREADABLE", "image"],
    ["a truncated image", { id: "x", image: "sub/truncated.png", conversations: turns() }, ImageError, "IMAGE_UNREADABLE", "image"],
    ["a path climbing out of the image root", { id: "x", image: "sub/../../outside.png", conversations: turns() }, ValueError, "VQA_IMAGE_OUTSIDE_ROOT", "image"],
    ["an absolute image path", { id: "x", image: "/etc/hostname", conversations: turns() }, ValueError, "VQA_IMAGE_OUTSIDE_ROOT", "image"],
    ["a bad path in an image list", { id: "x", image: ["sub/good.png", "../outside.png"], conversations: turns() }, ValueError, "VQA_IMAGE_OUTSIDE_ROOT", "image[1]"],
    ["an image list holding a number", { id: "x", image: ["sub/good.png", 3], conversations: turns() }, FormatError, "LLAVA_BAD_IMAGE", "image[1]"],
    ["an entry without an id", { conversations: turns() }, MissingError, "LLAVA_NO_ID", "id"],
  ];

  it.each(cases)("raises on %s, naming file, entry, id, offset and field", async (_, bad, type, code, field) => {
    const good = { id: "ok", image: "sub/good.png", conversations: turns() };
    const text = asJson([good, bad]);
    const { json, imageRoot } = setup(text);
    const error = await errorOf(() => collect(openLlava(json, { imageRoot })));
    expect(error).toBeInstanceOf(type);
    const id = (bad as { id?: string }).id;
    expect(error).toMatchObject({ code, file: json, row: 1, field, offset: Buffer.from(text).indexOf(JSON.stringify(bad)), ...(id ? { id } : {}) });
    expect(error.message).toContain(json);
  });

  it("refuses traversal even when the outside file exists, and names the path", async () => {
    const { json, imageRoot } = setup(asJson([{ id: "t", image: "../outside.png", conversations: turns() }]));
    const error = await errorOf(() => collect(openLlava(json, { imageRoot })));
    expect(error.message).toMatch(/"\.\.\/outside\.png" leaves the image root/);
  });

  it("with onError: skip, drops bad entries, counts them by reason, and resumes with the counts", async () => {
    const entries = [
      { id: "g0", image: "sub/good.png", conversations: turns() },
      { id: "b0", conversations: [{ from: "robot", value: "x" }] },
      { id: "g1", conversations: turns("text only") },
      { id: "b1", image: "sub/absent.png", conversations: turns() },
      { id: "b2", image: "sub/corrupt.png", conversations: turns() },
      { id: "g2", image: ["sub/good.png", "sub/good.png"], conversations: turns() },
      { id: "b3", image: "../outside.png", conversations: turns() },
      { id: "b4" },
      { id: "b5", conversations: [{ from: "alien", value: "x" }] },
      { id: "g3", image: "sub/good.png", conversations: turns() },
    ];
    const { json, imageRoot } = setup(asJson(entries));
    const source = openLlava(json, { imageRoot, onError: "skip", batchSize: 2 });
    const batches = await collect(source);
    expect(batches.map((b) => b.numRows)).toEqual([2, 2]); // skipped entries are replaced, batches stay full
    expect((await readRows(openLlava(json, { imageRoot, onError: "skip" }))).map((r) => r.sample_id)).toEqual(["g0", "g1", "g2", "g3"]);
    expect(source.skipped()).toEqual({ IMAGE_UNREADABLE: 1, VQA_IMAGE_MISSING: 1, VQA_IMAGE_OUTSIDE_ROOT: 1, VQA_NO_CONVERSATIONS: 1, VQA_UNKNOWN_ROLE: 2 });
    expect(source.describe()).toContain("skipped 6");
    await runResumeTest(() => openLlava(json, { imageRoot, onError: "skip", batchSize: 1 }));
    const first = openLlava(json, { imageRoot, onError: "skip", batchSize: 1 });
    await first.next();
    await first.next();
    const resumed = openLlava(json, { imageRoot, onError: "skip", batchSize: 1 });
    resumed.restore(JSON.parse(JSON.stringify(first.state())));
    await first.close?.();
    await collect(resumed);
    expect(resumed.skipped()).toEqual(source.skipped());
  });

  it('validateImages "decode" decodes the pixels: an image whole by its markers but corrupt inside fails there', async () => {
    const { json, imageRoot } = setup(asJson([{ id: "s", image: "sub/scrambled.png", conversations: turns() }]));
    const scrambled = Buffer.from(readFileSync(join(imageRoot, "sub/good.png")));
    scrambled.fill(0x55, 40, scrambled.length - 12); // IDAT data garbage, signature and IEND intact
    writeFileSync(join(imageRoot, "sub/scrambled.png"), scrambled);
    expect((await readRows(openLlava(json, { imageRoot }))).length).toBe(1); // "header" (default) lets it through
    for (const validateImages of ["decode", true] as const) {
      const error = await errorOf(() => collect(openLlava(json, { imageRoot, validateImages })));
      expect(error).toMatchObject({ name: "ImageError", code: "IMAGE_UNDECODABLE", file: json, row: 0, id: "s", field: "image" });
    }
  });

  it("passes undecodable bytes through when validateImages is false", async () => {
    const { json, imageRoot } = setup(asJson([{ id: "c", image: "sub/corrupt.png", conversations: turns() }]));
    const rows = await readRows(openLlava(json, { imageRoot, validateImages: false }));
    expect(Buffer.from(rows[0]!.images[0]!).toString()).toBe("this is not an image at all");
  });
});
