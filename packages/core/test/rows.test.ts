import { describe, expect, it } from "vitest";
import { Schema, tableFromIPC } from "apache-arrow";
import {
  CANONICAL_SCHEMA, ValueError, allocBatchBytes, alignBatch, batchFromIpc, batchToIpc, batchToRows, concatBatches, emptyBatch, rowAt, rowsToBatch, takeRows,
} from "@cotrain/core";
import { mixedRows, normalized, plain } from "./fixtures.js";

describe("rows ⇄ RecordBatch", () => {
  it("round-trips every column type, including nulls and empty lists", () => {
    const rows = mixedRows(24);
    const batch = rowsToBatch(rows);
    expect(batch.numRows).toBe(24);
    expect(batch.schema.fields.map((f) => f.name)).toEqual(CANONICAL_SCHEMA.fields.map((f) => f.name));
    expect(batchToRows(batch).map(plain)).toEqual(rows.map(normalized));
    // specific nulls and empties
    const web = rowAt(batch, 2);
    expect(web.action).toBeNull();
    expect(web.state).toBeNull();
    expect(web.episode_index).toBeNull();
    expect(web.images).toEqual([]);
    expect(rowAt(batch, 5).images).toHaveLength(1);
    expect(rowAt(batch, 0).action_is_pad).toEqual([false, true]);
    expect(rowAt(batch, 1).action_is_pad).toBeNull();
  });

  it("survives Arrow IPC and an independent decode by Arrow's own vectors", () => {
    const rows = mixedRows(9);
    const bytes = batchToIpc(rowsToBatch(rows));
    const back = batchFromIpc(bytes);
    expect(batchToRows(back).map(plain)).toEqual(rows.map(normalized));
    const table = tableFromIPC(bytes);
    expect(table.getChild("sample_id")?.get(2)).toBe("q2");
    expect(Array.from(table.getChild("action")?.get(1)?.toArray() ?? [])).toEqual(Array.from(rows[1]!.action as Float32Array));
    expect(table.getChild("messages")?.get(2)?.get(1)?.toJSON()).toEqual({ role: "assistant", content: "red" });
  });

  it("rejects a bad kind, an empty action and a chunk that does not divide the action", () => {
    expect(() => rowsToBatch([{ source: "s", kind: "text" as never, sample_id: "a" }])).toThrow(ValueError);
    const empty = (() => { try { rowsToBatch([{ source: "s", kind: "robot", sample_id: "a", action: [] }]); } catch (e) { return e; } })() as ValueError;
    expect(empty).toBeInstanceOf(ValueError);
    expect(empty.field).toBe("action");
    expect(empty.row).toBe(0);
    expect(() => rowsToBatch([{ source: "s", kind: "robot", sample_id: "a", action: [1, 2, 3], action_is_pad: [false, false] }])).toThrow(/multiple of 2/);
  });
});

describe("Arrow kernels", () => {
  it("concatenates slices of several batches without losing nulls or offsets", () => {
    const a = rowsToBatch(mixedRows(10));
    const b = rowsToBatch(mixedRows(7, 10));
    const joined = concatBatches([a.slice(3, 9), b.slice(0, 5), a.slice(9, 10), b.slice(1, 2)]);
    const expected = [...mixedRows(10).slice(3, 9), ...mixedRows(7, 10).slice(0, 5), ...mixedRows(10).slice(9, 10), ...mixedRows(7, 10).slice(1, 2)];
    expect(batchToRows(joined).map(plain)).toEqual(expected.map(normalized));
    // and the result is a valid IPC batch
    expect(batchToRows(batchFromIpc(batchToIpc(joined))).map(plain)).toEqual(expected.map(normalized));
  });

  it("takes rows in any order, including repeats and odd bit offsets", () => {
    const rows = mixedRows(21);
    const batch = rowsToBatch(rows).slice(3, 21);
    const indices = [17, 0, 1, 2, 9, 9, 4, 13, 5];
    const taken = takeRows(batch, indices);
    expect(batchToRows(taken).map(plain)).toEqual(indices.map((i) => normalized(rows[i + 3]!)));
    expect(() => takeRows(batch, [18])).toThrow(RangeError);
    expect(takeRows(batch, []).numRows).toBe(0);
  });

  it("aligns a batch that lacks nullable columns by filling nulls", () => {
    const full = rowsToBatch(mixedRows(3));
    const keep = ["source", "kind", "sample_id", "images", "cameras", "messages"];
    const narrowSchema = new Schema(full.schema.fields.filter((f) => keep.includes(f.name)));
    const narrow = alignBatch(full, narrowSchema);
    expect(narrow.schema.fields).toHaveLength(6);
    const widened = alignBatch(narrow, CANONICAL_SCHEMA);
    const row = rowAt(widened, 0);
    expect(row.action).toBeNull();
    expect(row.is_first).toBeNull();
    expect(row.messages).toEqual(rowAt(full, 0).messages);
    expect(() => alignBatch(emptyBatch(new Schema([])), CANONICAL_SCHEMA)).toThrow(/non-nullable column source/);
  });
});

describe("rowsToBatch and allocBatchBytes", () => {
  const row = (id: string, images: Uint8Array[]) => ({ source: "s", kind: "vqa" as const, sample_id: id, images, cameras: images.map(() => "image") });

  it("adopts a batch buffer its images tile in order, and copies any other images", () => {
    const arena = allocBatchBytes(7);
    arena.set([1, 2, 3, 4, 5, 6, 7]);
    const adopted = rowsToBatch([row("a", [arena.subarray(0, 3)]), row("b", []), row("c", [arena.subarray(3, 5), arena.subarray(5, 7)])]);
    const values = adopted.getChild("images")!.data[0]!.children[0]!.values as Uint8Array;
    expect(values.buffer).toBe(arena.buffer);
    expect(batchToRows(adopted).map((r) => r.images.map((b) => Array.from(b)))).toEqual([[[1, 2, 3]], [], [[4, 5], [6, 7]]]);

    // Out of order, partial, or from an ordinary buffer: copied, so the caller may reuse its buffer.
    const plain = new Uint8Array([9, 8, 7, 6]);
    for (const images of [[arena.subarray(3, 7), arena.subarray(0, 3)], [arena.subarray(0, 3)], [plain.subarray(0, 2), plain.subarray(2, 4)]]) {
      const batch = rowsToBatch([row("x", images)]);
      expect((batch.getChild("images")!.data[0]!.children[0]!.values as Uint8Array).buffer).not.toBe(images[0]!.buffer);
      expect(batchToRows(batch)[0]!.images.map((b) => Array.from(b))).toEqual(images.map((b) => Array.from(b)));
    }
  });
});
