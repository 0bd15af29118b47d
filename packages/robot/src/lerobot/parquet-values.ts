/**
 * parquetjs-lite hands back values in several shapes depending on how a writer laid the column out; these
 * helpers turn them into plain numbers, lists and bytes:
 * - lists: a 3-level LIST group (`{list: [{element: v}, ...]}`, as pyarrow and DuckDB write; older writers name
 *   the levels `array`/`item` or `bag`/`array`) or a bare repeated primitive (`[v, ...]`, as parquetjs writes);
 * - numbers: `number`, `bigint` (INT64), or a string (dictionary-encoded values come back through toString()).
 */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

export function numberOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string" && value.trim() !== "") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  return Number.NaN;
}

function unwrapElement(entry: unknown): unknown {
  if (entry === null || typeof entry !== "object" || isBytes(entry) || Array.isArray(entry)) return entry;
  const values = Object.values(entry);
  // A list element group holds exactly one field (`element`/`item`/`array`); a null element materializes as {}.
  return values.length === 1 ? values[0] : values.length === 0 ? null : entry;
}

/** The elements of a list value, a scalar as a one-element list, or null when the value is null/absent. */
export function listOf(value: unknown): unknown[] | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(unwrapElement);
  if (typeof value === "object" && !isBytes(value)) {
    const group = value as Record<string, unknown>;
    const inner = group.list ?? group.array ?? group.bag ?? (Object.keys(group).length === 1 ? Object.values(group)[0] : undefined);
    if (Array.isArray(inner)) return inner.map(unwrapElement);
    if (Object.keys(group).length === 0) return [];
    return null;
  }
  return [value];
}

/** Image bytes from a `{bytes, path}` struct or a bare binary value; null when absent. */
export function imageBytesOf(value: unknown): Uint8Array | null {
  if (isBytes(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const bytes = (value as Record<string, unknown>).bytes;
    if (isBytes(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return null;
}

export function stringOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (isBytes(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8");
  return null;
}
