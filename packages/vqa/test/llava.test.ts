import { describe, expect, it } from "vitest";
import { closeSync, existsSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { batchToRows, collect, fingerprint } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";
import { runResumeTest } from "@cotrain/test-utils";
import { openLlava, writeLlava } from "@cotrain/vqa";
import { expectedRow, makeEntries, makeImage, plainRow, readRows, tmp } from "./fixtures.js";

const images = await Promise.all([0, 1, 2, 3].map((s) => makeImage(s)));
const entries = makeEntries(43, images);

async function written(n = entries.length) {
  const dir = tmp();
  const json = join(dir, "mix.json");
  const imageRoot = join(dir, "images");
  const summary = await writeLlava(json, entries.slice(0, n), { imageRoot });
  return { dir, json, imageRoot, summary };
}

describe("writeLlava → openLlava", () => {
  it("round-trips ids, conversations and image bytes exactly", async () => {
    const { json, imageRoot, summary } = await written();
    expect(summary.entries).toBe(43);
    expect(summary.images).toBe(new Set(entries.flatMap((e) => e.images.map((i) => i.path))).size);
    const source = openLlava(json, { imageRoot, batchSize: 8 });
    const batches = await collect(source);
    expect(batches.map((b) => b.numRows)).toEqual([8, 8, 8, 8, 8, 3]);
    const rows = batches.flatMap(batchToRows);
    expect(rows.map(plainRow)).toEqual(entries.map((e) => expectedRow(e, "mix")));
    expect(source.skipped()).toEqual({});
  });

  it("writes the LLaVA layout: image as a string, a list, or absent", async () => {
    const { json } = await written(5);
    const parsed = JSON.parse(readFileSync(json, "utf8")) as Record<string, unknown>[];
    expect(parsed.map((e) => e.image)).toEqual(["gqa/img_0.png", "coco/img_1.png", "gqa/img_2.png", undefined, ["gqa/img_4.png", "coco/img_5.png"]]);
    expect(parsed[0]).toEqual({ id: "e0000", image: "gqa/img_0.png", conversations: entries[0]!.conversations });
    expect(Object.keys(parsed[0]!)).toEqual(["id", "image", "conversations"]);
  });

  it("writes atomically: a failing write leaves neither the file nor a temporary one", async () => {
    const dir = tmp();
    const json = join(dir, "broken.json");
    function* failing() {
      yield entries[3]!;
      throw new Error("converter crashed");
    }
    await expect(writeLlava(json, failing())).rejects.toThrow("converter crashed");
    expect(readdirSync(dir)).toEqual([]);
    const noRoot = await writeLlava(json, [entries[0]!]).catch((e: Error) => e);
    expect(noRoot).toMatchObject({ name: "ConfigError", code: "LLAVA_WRITE_NO_IMAGE_ROOT" });
    const escape = await writeLlava(json, [{ ...entries[0]!, images: [{ path: "../x.png", bytes: images[0]! }] }], { imageRoot: join(dir, "r") }).catch((e: Error) => e);
    expect(escape).toMatchObject({ name: "ValueError", code: "VQA_IMAGE_OUTSIDE_ROOT", row: 0, id: "e0000" });
    const badRole = await writeLlava(json, [{ ...entries[3]!, conversations: [{ from: "robot" as "gpt", value: "x" }] }]).catch((e: Error) => e);
    expect(badRole).toMatchObject({ name: "ValueError", code: "VQA_WRITE_ROLE", field: "conversations[0].from" });
    expect(readdirSync(dir)).toEqual([]);
  });

  it("keeps <image> where it was, maps human/gpt/system, names the source", async () => {
    const { json, imageRoot } = await written(5);
    const rows = await readRows(openLlava(json, { imageRoot, source: "llava_mix", validateImages: false }));
    expect(rows[0]!.messages[0]!.content.startsWith("<image>\n")).toBe(true);
    expect(rows[1]!.messages[0]!.content.endsWith("\n<image>")).toBe(true);
    expect(rows[3]!.messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
    expect(rows[3]!.images).toEqual([]);
    expect(rows.every((r) => r.source === "llava_mix" && r.kind === "vqa")).toBe(true);
  });

  it("accepts numeric ids, user/assistant roles and a leading byte order mark", async () => {
    const dir = tmp();
    const json = join(dir, "bom.json");
    writeFileSync(json, `\ufeff[{"id": 7, "conversations": [{"from": "user", "value": "hi"}, {"from": "assistant", "value": "yo"}]}]`);
    const rows = await readRows(openLlava(json));
    expect(rows.map((r) => [r.sample_id, r.messages])).toEqual([["7", [{ role: "user", content: "hi" }, { role: "assistant", content: "yo" }]]]);
  });

  it("reads an empty array as an empty source", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "empty.json"), "[ ]\n");
    expect(await collect(openLlava(join(dir, "empty.json")))).toEqual([]);
  });

  it("shards entries by index modulo count, disjoint and complete", async () => {
    const { json, imageRoot } = await written();
    const ids = await Promise.all([0, 1, 2].map(async (index) => (await readRows(openLlava(json, { imageRoot, shard: { index, count: 3 }, batchSize: 4 }))).map((r) => r.sample_id)));
    ids.forEach((shardIds, k) => expect(shardIds).toEqual(entries.filter((_, i) => i % 3 === k).map((e) => e.id)));
  });

  it("shuffles by seed and epoch, keeping every entry once", async () => {
    const { json, imageRoot } = await written();
    const order = async (seed: number, epoch?: number) => {
      const source = openLlava(json, { imageRoot, shuffle: { bufferSize: 16, seed }, batchSize: 8, validateImages: false });
      if (epoch !== undefined) source.reset(epoch);
      return (await readRows(source)).map((r) => r.sample_id);
    };
    const a = await order(1);
    expect([...a].sort()).toEqual(entries.map((e) => e.id));
    expect(a).not.toEqual(entries.map((e) => e.id));
    expect(await order(1)).toEqual(a);
    expect(await order(2)).not.toEqual(a);
    expect(await order(1, 1)).not.toEqual(a);
    expect(await order(1, 1)).toEqual(await order(1, 1));
  });

  it("resumes mid-file from its state (runResumeTest), plain, sharded and shuffled", async () => {
    const { json, imageRoot } = await written();
    expect((await runResumeTest(() => openLlava(json, { imageRoot, batchSize: 5 }))).total).toBe(9);
    await runResumeTest(() => openLlava(json, { imageRoot, batchSize: 4, shard: { index: 1, count: 2 } }));
    await runResumeTest(() => openLlava(json, { imageRoot, batchSize: 5, shuffle: { bufferSize: 12, seed: 3 } }), [0, 1, 2, 3, 4, 7, 9]);
  });

  it("resumes at the saved byte offset without reading the bytes before it", async () => {
    const { json, imageRoot } = await written();
    const reference = (await collect(openLlava(json, { imageRoot, batchSize: 6 }))).map(fingerprint);
    const first = openLlava(json, { imageRoot, batchSize: 6 });
    await first.next();
    await first.next();
    const state = JSON.parse(JSON.stringify(first.state())) as { position: { entry: number; offset: number } };
    await first.close?.();
    expect(state.position.entry).toBe(12);
    expect(readFileSync(json).subarray(state.position.offset - 1, state.position.offset).toString()).toBe(",");
    // Overwrite everything before the offset with garbage of the same length: a reader that re-parsed from the
    // start would fail on it.
    const fd = openSync(json, "r+");
    writeSync(fd, Buffer.alloc(state.position.offset, "x"), 0, state.position.offset, 0);
    closeSync(fd);
    const resumed = openLlava(json, { imageRoot, batchSize: 6 });
    resumed.restore(state as unknown as JsonValue);
    expect((await collect(resumed)).map(fingerprint)).toEqual(reference.slice(2));
  });

  it("refuses a state saved for a different file", async () => {
    const { json, imageRoot } = await written(10);
    const first = openLlava(json, { imageRoot, batchSize: 3 });
    await first.next();
    const state = first.state();
    await first.close?.();
    writeFileSync(json, readFileSync(json, "utf8") + "\n");
    const second = openLlava(json, { imageRoot });
    expect(() => second.restore(state)).toThrow(expect.objectContaining({ name: "StateError", code: "LLAVA_STATE_FILE_CHANGED" }));
    expect(() => second.restore({ position: { entry: -1 }, skipped: {} })).toThrow(TypeError);
  });

  it("describes itself and validates options up front", async () => {
    const { json, imageRoot } = await written(3);
    expect(openLlava(json, { imageRoot, batchSize: 2, shard: { index: 0, count: 2 } }).describe()).toBe(`llava(${json}, source=mix, batch=2, shard 0/2)`);
    expect(openLlava(json, { shuffle: { bufferSize: 8, seed: 1 } }).describe()).toMatch(/^llava\(.*\) -> shuffle\(buffer=8, seed=1\)$/);
    expect(() => openLlava(json, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => openLlava(json, { onError: "ignore" as "skip" })).toThrow(/onError/);
    expect(() => openLlava(json, { shard: { index: 2, count: 2 } })).toThrow(RangeError);
    expect(() => openLlava(join(imageRoot, "nope.json"))).toThrow(expect.objectContaining({ name: "MissingError", code: "LLAVA_FILE_MISSING" }));
    expect(existsSync(json)).toBe(true);
  });
});
