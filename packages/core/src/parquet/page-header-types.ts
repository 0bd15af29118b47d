/**
 * The thrift field types of a page header (parquet.thrift), checked after hyparquet parsed it: hyparquet reads a
 * field by the type its bytes give, so an i32 sent as an i16 or a byte (one bit apart) reads as the same number,
 * while the format, and DuckDB, refuse the header. Fields not in this table (later format versions) are skipped.
 */
type Kind = "i32" | "i64" | "bool" | "binary" | Struct;
interface Struct {
  readonly [field: number]: Kind;
}

const STATISTICS: Struct = { 1: "binary", 2: "binary", 3: "i64", 4: "i64", 5: "binary", 6: "binary", 7: "bool", 8: "bool" };
const DATA_PAGE: Struct = { 1: "i32", 2: "i32", 3: "i32", 4: "i32", 5: STATISTICS };
const DICTIONARY_PAGE: Struct = { 1: "i32", 2: "i32", 3: "bool" };
const DATA_PAGE_V2: Struct = { 1: "i32", 2: "i32", 3: "i32", 4: "i32", 5: "i32", 6: "i32", 7: "bool", 8: STATISTICS };
const PAGE_HEADER: Struct = { 1: "i32", 2: "i32", 3: "i32", 4: "i32", 5: DATA_PAGE, 6: {}, 7: DICTIONARY_PAGE, 8: DATA_PAGE_V2 };

// Compact protocol type ids.
const TRUE = 1;
const FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

const expectedIds = (kind: Kind): number[] => (kind === "i32" ? [I32] : kind === "i64" ? [I64] : kind === "bool" ? [TRUE, FALSE] : kind === "binary" ? [BINARY] : [STRUCT]);

/** Why the page header at `bytes[at]` has a field of the wrong thrift type, or null. */
export function pageHeaderTypeFault(bytes: Uint8Array, at: number): string | null {
  const reader = { bytes, at };
  try {
    return walkStruct(reader, PAGE_HEADER, "PageHeader", 0);
  } catch (cause) {
    return cause instanceof Error ? cause.message : String(cause);
  }
}

interface Reader {
  bytes: Uint8Array;
  at: number;
}

function byte(reader: Reader): number {
  if (reader.at >= reader.bytes.length) throw new Error("the page header runs past the column chunk");
  return reader.bytes[reader.at++] as number;
}

function varint(reader: Reader): number {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const b = byte(reader);
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return value;
    if (shift > 63) throw new Error("the page header holds a varint longer than 10 bytes");
  }
}

function walkStruct(reader: Reader, struct: Struct, name: string, depth: number): string | null {
  if (depth > 16) throw new Error("the page header nests deeper than 16 structs");
  let field = 0;
  for (;;) {
    const header = byte(reader);
    const type = header & 0x0f;
    if (type === 0) return null;
    const delta = header >> 4;
    field = delta === 0 ? zigzag(varint(reader)) : field + delta;
    const kind = struct[field];
    if (kind !== undefined) {
      if (!expectedIds(kind).includes(type)) return `field ${field} of its ${name} has thrift type ${type}, not ${typeof kind === "string" ? kind : "struct"}`;
      if (typeof kind !== "string") {
        const fault = walkStruct(reader, kind, `${name}.${field}`, depth + 1);
        if (fault !== null) return fault;
        continue;
      }
    }
    skip(reader, type, depth);
  }
}

const zigzag = (n: number): number => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

/** Skips a value of compact type `type` (a field this check does not know). */
function skip(reader: Reader, type: number, depth: number): void {
  if (depth > 16) throw new Error("the page header nests deeper than 16 levels");
  switch (type) {
    case TRUE:
    case FALSE:
      return;
    case BYTE:
      byte(reader);
      return;
    case I16:
    case I32:
    case I64:
      varint(reader);
      return;
    case DOUBLE:
      for (let i = 0; i < 8; i++) byte(reader);
      return;
    case BINARY: {
      const length = varint(reader);
      if (reader.at + length > reader.bytes.length) throw new Error("a binary field of the page header runs past the column chunk");
      reader.at += length;
      return;
    }
    case LIST:
    case SET: {
      const head = byte(reader);
      const count = head >> 4 === 15 ? varint(reader) : head >> 4;
      for (let i = 0; i < count; i++) skip(reader, (head & 0x0f) === TRUE ? BYTE : head & 0x0f, depth + 1);
      return;
    }
    case MAP: {
      const count = varint(reader);
      if (count === 0) return;
      const types = byte(reader);
      for (let i = 0; i < count; i++) {
        skip(reader, types >> 4, depth + 1);
        skip(reader, types & 0x0f, depth + 1);
      }
      return;
    }
    case STRUCT:
      walkStruct(reader, {}, "struct", depth + 1);
      return;
    default:
      throw new Error(`the page header holds a field of unknown thrift type ${type}`);
  }
}
