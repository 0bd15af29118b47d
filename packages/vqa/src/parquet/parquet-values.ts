/**
 * parquetjs-lite returns nested values in the shape the writer laid them out in. These helpers read both:
 * - a list as a 3-level LIST group (`{list: [{element: v}]}`, as pyarrow, DuckDB and Spark write; legacy writers
 *   name the levels `array`/`item` or `bag`/`array_element`), or as a bare repeated field (`[v, ...]`, parquetjs);
 *   an empty list materializes as `{}`, a null one as an absent key;
 * - text as a string (UTF8 columns) or as bytes (BYTE_ARRAY without the UTF8 annotation).
 */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isBytes(value);
}

const LIST_LEVELS = ["list", "array", "bag"];
const ELEMENT_LEVELS = ["element", "item", "array_element", "array"];

/** The elements of a list column value; null when the value is null or absent. */
export function listOf(value: unknown): unknown[] | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value;
  if (!isRecord(value)) return null;
  const keys = Object.keys(value);
  if (keys.length === 0) return [];
  const level = keys.length === 1 ? LIST_LEVELS.find((k) => k === keys[0]) : undefined;
  const inner = level === undefined ? undefined : value[level];
  if (!Array.isArray(inner)) return null;
  return inner.map(unwrapElement);
}

function unwrapElement(item: unknown): unknown {
  if (!isRecord(item)) return item;
  const keys = Object.keys(item);
  if (keys.length === 0) return null; // a null element
  return keys.length === 1 && ELEMENT_LEVELS.includes(keys[0] as string) ? item[keys[0] as string] : item;
}

export function textOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (isBytes(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8");
  return null;
}

export function bytesOf(value: unknown): Uint8Array | null {
  return isBytes(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : null;
}
