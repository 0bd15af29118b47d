import { Data, RecordBatch, Schema, makeData } from "apache-arrow";
import { CANONICAL_FIELDS, CANONICAL_SCHEMA, COLUMN, MESSAGE_TYPE } from "./schema.js";
import type { CanonicalRow, Message, RowInput, SampleKind, Role } from "./schema.js";
import { makeBatch } from "./arrow/batches.js";
import { adoptBatchBytes } from "./arrow/batch-bytes.js";
import { ValueError } from "./errors.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Builds one canonical RecordBatch from rows. Columns are written straight into Arrow buffers (offsets + values),
 * which is several times faster than Arrow's generic builders for these list columns (see `npm run bench`).
 * Image bytes are copied into one values buffer, unless they tile an `allocBatchBytes` buffer, which is adopted.
 */
export function rowsToBatch(rows: readonly RowInput[]): RecordBatch {
  const n = rows.length;
  rows.forEach(validateRow);
  const f = CANONICAL_FIELDS;
  const columns: Data[] = [
    utf8Column(rows.map((r) => r.source)),
    utf8Column(rows.map((r) => r.kind)),
    utf8Column(rows.map((r) => r.sample_id)),
    listOfBinary(rows.map((r) => r.images ?? [])),
    listOfUtf8(rows.map((r) => r.cameras ?? [])),
    listOfMessages(rows.map((r) => r.messages ?? [])),
    listOfFloat(rows.map((r) => r.action ?? null), f[6].type),
    listOfBool(rows.map((r) => r.action_is_pad ?? null), f[7].type),
    listOfFloat(rows.map((r) => r.state ?? null), f[8].type),
    int32Column(rows.map((r) => r.episode_index ?? null)),
    int32Column(rows.map((r) => r.step_index ?? null)),
    boolColumn(rows.map((r) => r.is_first ?? null)),
    boolColumn(rows.map((r) => r.is_last ?? null)),
  ];
  return makeBatch(CANONICAL_SCHEMA, columns, n);
}

function validateRow(row: RowInput, index: number): void {
  if (row.kind !== "robot" && row.kind !== "vqa") {
    throw new ValueError("ROW_KIND", `kind must be "robot" or "vqa", got ${JSON.stringify(row.kind)}`, { row: index, field: COLUMN.kind });
  }
  if ((row.images?.length ?? 0) !== (row.cameras?.length ?? row.images?.length ?? 0)) {
    throw new ValueError("ROW_CAMERAS", `images (${row.images?.length}) and cameras (${row.cameras?.length}) differ in length`, { row: index, id: row.sample_id, field: COLUMN.cameras });
  }
  for (const key of [COLUMN.action, COLUMN.state] as const) {
    const v = row[key];
    if (v !== null && v !== undefined && v.length === 0) {
      throw new ValueError("ROW_EMPTY_LIST", `${key} must be null or non-empty`, { row: index, id: row.sample_id, field: key });
    }
  }
  const pad = row.action_is_pad;
  if (pad && row.action && row.action.length % pad.length !== 0) {
    throw new ValueError("ROW_CHUNK_SHAPE", `action has ${row.action.length} values, not a multiple of ${pad.length} chunk steps`, { row: index, id: row.sample_id, field: COLUMN.actionIsPad });
  }
}

/** Reads row `i` of a canonical batch. Binary and float values are zero-copy views into the batch's buffers. */
export function rowAt(batch: RecordBatch, i: number): CanonicalRow {
  const col = (name: string): Data => {
    const v = batch.getChild(name);
    if (v === null) throw new ValueError("ROW_MISSING_COLUMN", `batch has no column ${name}`, { field: name });
    return v.data[0] as Data;
  };
  const images = readBinaryList(col(COLUMN.images), i);
  const camerasData = batch.getChild(COLUMN.cameras);
  return {
    source: readUtf8(col(COLUMN.source), i) ?? "",
    kind: readUtf8(col(COLUMN.kind), i) as SampleKind,
    sample_id: readUtf8(col(COLUMN.sampleId), i) ?? "",
    images: images ?? [],
    cameras: camerasData ? (readUtf8List(camerasData.data[0] as Data, i) ?? []) : images?.map(() => "") ?? [],
    messages: readMessages(col(COLUMN.messages), i),
    action: readFloatList(col(COLUMN.action), i),
    action_is_pad: optionalColumn(batch, COLUMN.actionIsPad, (d) => readBoolList(d, i)),
    state: optionalColumn(batch, COLUMN.state, (d) => readFloatList(d, i)),
    episode_index: optionalColumn(batch, COLUMN.episodeIndex, (d) => readInt(d, i)),
    step_index: optionalColumn(batch, COLUMN.stepIndex, (d) => readInt(d, i)),
    is_first: optionalColumn(batch, COLUMN.isFirst, (d) => readBool(d, i)),
    is_last: optionalColumn(batch, COLUMN.isLast, (d) => readBool(d, i)),
  };
}

/** All rows of a batch as plain values (views, see `rowAt`). */
export function batchToRows(batch: RecordBatch): CanonicalRow[] {
  const out: CanonicalRow[] = [];
  for (let i = 0; i < batch.numRows; i++) out.push(rowAt(batch, i));
  return out;
}

/** The canonical schema, for callers that need to name it beside rows. */
export function canonicalSchema(): Schema {
  return CANONICAL_SCHEMA;
}

function optionalColumn<T>(batch: RecordBatch, name: string, read: (d: Data) => T | null): T | null {
  const v = batch.getChild(name);
  return v === null ? null : read(v.data[0] as Data);
}

// ---- readers over Data (offsets are relative to the slice; validity bits are indexed by data.offset) ----

export function isValid(d: Data, i: number): boolean {
  if (d.nullCount === 0 || !d.nullBitmap || d.nullBitmap.length === 0) return true;
  const bit = d.offset + i;
  return ((d.nullBitmap[bit >> 3]! >> (bit & 7)) & 1) === 1;
}

export function readUtf8(d: Data, i: number): string | null {
  if (!isValid(d, i)) return null;
  const o = d.valueOffsets as Int32Array;
  return decoder.decode((d.values as Uint8Array).subarray(o[i], o[i + 1]));
}

export function readInt(d: Data, i: number): number | null {
  return isValid(d, i) ? Number((d.values as Int32Array)[i]) : null;
}

export function readBool(d: Data, i: number): boolean | null {
  if (!isValid(d, i)) return null;
  const bit = d.offset + i;
  return (((d.values as Uint8Array)[bit >> 3]! >> (bit & 7)) & 1) === 1;
}

function listRange(d: Data, i: number): [number, number] | null {
  if (!isValid(d, i)) return null;
  const o = d.valueOffsets as Int32Array;
  return [o[i] as number, o[i + 1] as number];
}

export function readBinaryList(d: Data, i: number): Uint8Array[] | null {
  const r = listRange(d, i);
  if (r === null) return null;
  const child = d.children[0] as Data;
  const o = child.valueOffsets as Int32Array;
  const values = child.values as Uint8Array;
  const out: Uint8Array[] = [];
  for (let k = r[0]; k < r[1]; k++) out.push(values.subarray(o[k], o[k + 1]));
  return out;
}

export function readUtf8List(d: Data, i: number): string[] | null {
  const r = listRange(d, i);
  if (r === null) return null;
  const child = d.children[0] as Data;
  const out: string[] = [];
  for (let k = r[0]; k < r[1]; k++) out.push(readUtf8(child, k) ?? "");
  return out;
}

export function readFloatList(d: Data, i: number): Float32Array | null {
  const r = listRange(d, i);
  if (r === null) return null;
  return ((d.children[0] as Data).values as Float32Array).subarray(r[0], r[1]);
}

export function readBoolList(d: Data, i: number): boolean[] | null {
  const r = listRange(d, i);
  if (r === null) return null;
  const child = d.children[0] as Data;
  const out: boolean[] = [];
  for (let k = r[0]; k < r[1]; k++) out.push(readBool(child, k) ?? false);
  return out;
}

export function readMessages(d: Data, i: number): Message[] {
  const r = listRange(d, i);
  if (r === null) return [];
  const struct = d.children[0] as Data;
  const role = struct.children[0] as Data;
  const content = struct.children[1] as Data;
  const out: Message[] = [];
  for (let k = r[0]; k < r[1]; k++) out.push({ role: (readUtf8(role, k) ?? "user") as Role, content: readUtf8(content, k) ?? "" });
  return out;
}

// ---- column builders ----

function validity(present: readonly boolean[]): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  let nullCount = 0;
  const bitmap = new Uint8Array(((present.length + 63) & ~63) >> 3);
  present.forEach((p, i) => {
    if (p) bitmap[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
  });
  return { nullBitmap: nullCount > 0 ? bitmap : undefined, nullCount };
}

function stringBytes(values: readonly string[]): { offsets: Int32Array; data: Uint8Array } {
  let max = 0;
  for (const v of values) max += v.length * 3;
  const data = new Uint8Array(max);
  const offsets = new Int32Array(values.length + 1);
  let at = 0;
  values.forEach((v, i) => {
    at += encoder.encodeInto(v, data.subarray(at)).written;
    offsets[i + 1] = at;
  });
  return { offsets, data: data.slice(0, at) };
}

export function utf8Column(values: readonly (string | null)[]): Data {
  const { nullBitmap, nullCount } = validity(values.map((v) => v !== null));
  const { offsets, data } = stringBytes(values.map((v) => v ?? ""));
  return makeData({ type: CANONICAL_FIELDS[0].type, length: values.length, nullCount, nullBitmap, valueOffsets: offsets, data });
}

function listOffsets(lengths: readonly number[]): Int32Array {
  const offsets = new Int32Array(lengths.length + 1);
  lengths.forEach((n, i) => (offsets[i + 1] = (offsets[i] as number) + n));
  return offsets;
}

function listOfBinary(lists: readonly (readonly Uint8Array[])[]): Data {
  const flat = lists.flat();
  const childOffsets = listOffsets(flat.map((b) => b.length));
  let bytes = adoptBatchBytes(flat);
  if (bytes === null) {
    // Every byte is written below, so the buffer need not be zeroed first.
    const total = childOffsets[flat.length] as number;
    bytes = new Uint8Array(Buffer.allocUnsafeSlow(total).buffer, 0, total);
    for (let k = 0; k < flat.length; k++) bytes.set(flat[k] as Uint8Array, childOffsets[k]);
  }
  const field = CANONICAL_FIELDS[3];
  const child = makeData({ type: field.type.children[0]!.type, length: flat.length, nullCount: 0, valueOffsets: childOffsets, data: bytes });
  return makeData({ type: field.type, length: lists.length, nullCount: 0, valueOffsets: listOffsets(lists.map((l) => l.length)), child });
}

function listOfUtf8(lists: readonly (readonly string[])[]): Data {
  const flat = lists.flat();
  const field = CANONICAL_FIELDS[4];
  const child = utf8Column(flat);
  return makeData({ type: field.type, length: lists.length, nullCount: 0, valueOffsets: listOffsets(lists.map((l) => l.length)), child: child as Data<typeof field.type.children[0]["type"]> });
}

function listOfMessages(lists: readonly (readonly Message[])[]): Data {
  const flat = lists.flat();
  const struct = makeData({ type: MESSAGE_TYPE, length: flat.length, nullCount: 0, children: [utf8Column(flat.map((m) => m.role)), utf8Column(flat.map((m) => m.content))] });
  return makeData({ type: CANONICAL_FIELDS[5].type, length: lists.length, nullCount: 0, valueOffsets: listOffsets(lists.map((l) => l.length)), child: struct });
}

function listOfFloat(lists: readonly (ArrayLike<number> | null)[], type: (typeof CANONICAL_FIELDS)[6]["type"]): Data {
  const { nullBitmap, nullCount } = validity(lists.map((l) => l !== null));
  const offsets = listOffsets(lists.map((l) => l?.length ?? 0));
  const values = new Float32Array(offsets[lists.length] as number);
  lists.forEach((l, i) => l && values.set(l, offsets[i]));
  const child = makeData({ type: type.children[0]!.type, length: values.length, nullCount: 0, data: values });
  return makeData({ type, length: lists.length, nullCount, nullBitmap, valueOffsets: offsets, child });
}

function listOfBool(lists: readonly (readonly boolean[] | null)[], type: (typeof CANONICAL_FIELDS)[7]["type"]): Data {
  const { nullBitmap, nullCount } = validity(lists.map((l) => l !== null));
  const offsets = listOffsets(lists.map((l) => l?.length ?? 0));
  const flat = lists.flatMap((l) => l ?? []);
  const child = boolColumn(flat);
  return makeData({ type, length: lists.length, nullCount, nullBitmap, valueOffsets: offsets, child: child as Data<typeof type.children[0]["type"]> });
}

function int32Column(values: readonly (number | null)[]): Data {
  const { nullBitmap, nullCount } = validity(values.map((v) => v !== null));
  return makeData({ type: CANONICAL_FIELDS[9].type, length: values.length, nullCount, nullBitmap, data: Int32Array.from(values, (v) => v ?? 0) });
}

function boolColumn(values: readonly (boolean | null)[]): Data {
  const { nullBitmap, nullCount } = validity(values.map((v) => v !== null));
  const bits = new Uint8Array(((values.length + 63) & ~63) >> 3);
  values.forEach((v, i) => {
    if (v) bits[i >> 3]! |= 1 << (i & 7);
  });
  return makeData({ type: CANONICAL_FIELDS[11].type, length: values.length, nullCount, nullBitmap, data: bits });
}
