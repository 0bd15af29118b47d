/**
 * Readers' helpers for the values `ParquetTable` returns: lists as arrays (null when the list is null), structs as
 * plain objects, BYTE_ARRAY as Uint8Array unless annotated as a string, INT64 as bigint.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isBytes(value);
}

/** The elements of a list value; null when the value is null, absent or not a list. */
export function listOf(value: unknown): unknown[] | null {
  return Array.isArray(value) ? value : null;
}

/** A number from a numeric, bigint (INT64) or boolean value; NaN for anything else. */
export function numberOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  return Number.NaN;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Text from a string column, or from a BYTE_ARRAY column without the string annotation read as UTF-8; null for
 * anything else, bytes that are not UTF-8 included (never U+FFFD in their place).
 */
export function textOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (!isBytes(value)) return null;
  try {
    return utf8.decode(value);
  } catch {
    return null;
  }
}

/** The bytes of a binary value as a plain Uint8Array view; null for anything else. */
export function bytesOf(value: unknown): Uint8Array | null {
  return isBytes(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : null;
}
