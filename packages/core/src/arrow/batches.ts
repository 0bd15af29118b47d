import { Data, DataType, Field, RecordBatch, Schema, Struct, Type, makeData } from "apache-arrow";
import { concatData } from "./concat.js";

/** A RecordBatch from column Data in schema order. */
export function makeBatch(schema: Schema, columns: readonly Data[], length?: number): RecordBatch {
  const n = length ?? columns[0]?.length ?? 0;
  columns.forEach((c, i) => {
    if (c.length !== n) throw new RangeError(`column ${schema.fields[i]?.name} has ${c.length} rows, expected ${n}`);
  });
  const data = makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children: columns as Data[] });
  return new RecordBatch(schema, data);
}

/** The column Data of a batch, in schema order (a RecordBatch column is always one chunk). */
export function columnsOf(batch: RecordBatch): Data[] {
  return batch.data.children as Data[];
}

/**
 * Concatenates batches of one schema into one contiguous batch (buffers copied with memcpy; rows never become
 * objects). Slices (`batch.slice(a, b)`) may be passed directly: this is how the mixer assembles a mixed batch.
 */
export function concatBatches(batches: readonly RecordBatch[], schema?: Schema): RecordBatch {
  const target = schema ?? batches[0]?.schema;
  if (target === undefined) throw new RangeError("concatBatches needs a schema or at least one batch");
  const nonEmpty = batches.filter((b) => b.numRows > 0);
  if (nonEmpty.length === 1 && (nonEmpty[0]!.schema === target || sameFields(nonEmpty[0]!.schema, target))) return nonEmpty[0]!;
  const columns = target.fields.map((field, c) => {
    const pieces = nonEmpty.map((b) => {
      const child = columnsOf(b)[c];
      if (child === undefined) throw new RangeError(`concatBatches: batch lacks column ${field.name}`);
      return child.slice(0, b.numRows);
    });
    return concatData(field.type, pieces);
  });
  const length = nonEmpty.reduce((n, b) => n + b.numRows, 0);
  return makeBatch(target, columns, length);
}

/**
 * The rows of `batch` at `indices`, in that order (Arrow "take"). Runs of consecutive indices are copied as one
 * range, so taking a permutation of a whole batch costs one copy per run.
 */
export function takeRows(batch: RecordBatch, indices: ArrayLike<number>): RecordBatch {
  const runs: RecordBatch[] = [];
  let i = 0;
  while (i < indices.length) {
    const start = indices[i] as number;
    if (!Number.isInteger(start) || start < 0 || start >= batch.numRows) {
      throw new RangeError(`takeRows: index ${start} out of range for ${batch.numRows} rows`);
    }
    let end = start + 1;
    i++;
    while (i < indices.length && indices[i] === end && end < batch.numRows) {
      end++;
      i++;
    }
    runs.push(batch.slice(start, end));
  }
  if (runs.length === 0) return emptyBatch(batch.schema);
  return concatBatches(runs, batch.schema);
}

/** An all-null column of `type` and `length` (lists get zero offsets and empty children). */
export function nullData(type: DataType, length: number): Data {
  const nullBitmap = new Uint8Array(((length + 63) & ~63) >> 3);
  switch (type.typeId) {
    case Type.Utf8:
    case Type.Binary:
      return makeData({ type: type as never, length, nullCount: length, nullBitmap, valueOffsets: new Int32Array(length + 1), data: new Uint8Array(0) });
    case Type.List: {
      const childType = (type as unknown as { children: Field[] }).children[0]!.type;
      return makeData({ type: type as never, length, nullCount: length, nullBitmap, valueOffsets: new Int32Array(length + 1), child: nullData(childType, 0) });
    }
    case Type.FixedSizeList: {
      const t = type as unknown as { children: Field[]; listSize: number };
      return makeData({ type: type as never, length, nullCount: length, nullBitmap, child: nullData(t.children[0]!.type, length * t.listSize) } as never);
    }
    case Type.Struct: {
      const fields = (type as unknown as { children: Field[] }).children;
      return makeData({ type: type as never, length, nullCount: length, nullBitmap, children: fields.map((f) => nullData(f.type, length)) });
    }
    case Type.Bool:
      return makeData({ type: type as never, length, nullCount: length, nullBitmap, data: new Uint8Array(nullBitmap.length) });
    default: {
      const Ctor = (type as unknown as { ArrayType: new (n: number) => ArrayLike<number> }).ArrayType;
      const stride = (type as unknown as { stride?: number }).stride ?? 1;
      return makeData({ type: type as never, length, nullCount: length, nullBitmap, data: new Ctor(length * stride) as never });
    }
  }
}

export function emptyBatch(schema: Schema): RecordBatch {
  return makeBatch(schema, schema.fields.map((f) => nullData(f.type, 0)), 0);
}

/**
 * Aligns a batch to `schema` by column name: columns the batch lacks become nulls (they must be nullable), columns
 * the schema lacks are dropped, and a present column must have the same type. Zero-copy for present columns.
 */
export function alignBatch(batch: RecordBatch, schema: Schema): RecordBatch {
  // arrow-js gives every batch (and every slice) its own Schema object, so compare structure, not identity.
  if (batch.schema === schema || sameFields(batch.schema, schema)) return batch;
  const columns = schema.fields.map((field) => {
    const index = batch.schema.fields.findIndex((f) => f.name === field.name);
    if (index < 0) {
      if (!field.nullable) throw new TypeError(`alignBatch: the batch lacks the non-nullable column ${field.name}`);
      return nullData(field.type, batch.numRows);
    }
    const have = batch.schema.fields[index]!;
    if (!sameType(have.type, field.type)) {
      throw new TypeError(`alignBatch: column ${field.name} is ${String(have.type)}, expected ${String(field.type)}`);
    }
    return columnsOf(batch)[index]!.slice(0, batch.numRows);
  });
  return makeBatch(schema, columns, batch.numRows);
}

/** Structural type equality (names of list items and nullability of children are not compared). */
export function sameType(a: DataType, b: DataType): boolean {
  if (a.typeId !== b.typeId) return false;
  const ca = (a as unknown as { children?: Field[] }).children ?? [];
  const cb = (b as unknown as { children?: Field[] }).children ?? [];
  if (ca.length !== cb.length) return false;
  if (a.typeId === Type.Struct && ca.some((f, i) => f.name !== cb[i]!.name)) return false;
  if (!ca.every((f, i) => sameType(f.type, cb[i]!.type))) return false;
  const keys = ["bitWidth", "isSigned", "precision", "listSize", "byteWidth", "unit"] as const;
  return keys.every((k) => (a as unknown as Record<string, unknown>)[k] === (b as unknown as Record<string, unknown>)[k]);
}

/** Same column names, order and types (nullability and metadata aside). */
export function sameFields(a: Schema, b: Schema): boolean {
  return a.fields.length === b.fields.length && a.fields.every((f, i) => f.name === b.fields[i]!.name && sameType(f.type, b.fields[i]!.type));
}
