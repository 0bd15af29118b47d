import { DataType } from "apache-arrow";
import type { Data, RecordBatch } from "apache-arrow";
import { FormatError } from "../errors.js";
import type { ErrorLocation } from "../errors.js";

/**
 * Checks that every column of a batch read from bytes is consistent with its length: buffers long enough, list and
 * string offsets non-decreasing and within their values, dictionary indices within the dictionary. Why: Arrow JS
 * builds a batch from whatever the IPC buffers hold, and a corrupt one fails later, far from the file, as a
 * TypeError in whoever reads the column. Raises FormatError `code` naming `where`, the column and the first row of
 * the batch (`where.row`); costs one pass over each column's offsets.
 */
export function checkBatch(batch: RecordBatch, where: ErrorLocation, code: string): void {
  batch.schema.fields.forEach((field, i) => {
    const column = batch.getChildAt(i);
    for (const data of column?.data ?? []) {
      const problem = checkData(data);
      if (problem !== null) throw new FormatError(code, `column ${JSON.stringify(field.name)} is inconsistent: ${problem}`, { ...where, field: field.name });
    }
  });
}

function checkData(data: Data, depth = 0): string | null {
  if (depth > 32) return "nested deeper than 32 levels";
  const { type, length, offset } = data;
  const end = offset + length;
  if (!Number.isSafeInteger(end) || length < 0 || offset < 0) return `length ${length} at offset ${offset}`;
  if (data.nullCount !== 0 && data.nullBitmap && data.nullBitmap.length > 0 && data.nullBitmap.length * 8 < end) return `validity bitmap of ${data.nullBitmap.length} bytes for ${end} values`;
  if (DataType.isDictionary(type)) {
    const dictionary = data.dictionary;
    const values = data.values as ArrayLike<number> | undefined;
    if (!dictionary || !values || values.length < end) return "dictionary indices missing or short";
    for (let i = offset; i < end; i++) if (!(Number(values[i]) >= 0 && Number(values[i]) < dictionary.length)) return `dictionary index ${values[i]} at row ${i - offset} outside its ${dictionary.length} entries`;
    for (const chunk of dictionary.data) {
      const problem = checkData(chunk, depth + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (DataType.isUtf8(type) || DataType.isBinary(type) || DataType.isList(type)) {
    const offsets = data.valueOffsets as ArrayLike<number> | undefined;
    if (!offsets || offsets.length < end + 1) return `${offsets?.length ?? 0} offsets for ${length} values`;
    const size = DataType.isList(type) ? (data.children[0]?.length ?? 0) : ((data.values as Uint8Array | undefined)?.length ?? 0);
    for (let i = offset; i < end; i++) if (!(Number(offsets[i]) >= 0 && Number(offsets[i]) <= Number(offsets[i + 1]))) return `offsets decrease at row ${i - offset}`;
    if (Number(offsets[end]) > size) return `offsets reach ${offsets[end]} of ${size} values`;
    return DataType.isList(type) ? checkData(data.children[0] as Data, depth + 1) : null;
  }
  if (DataType.isFixedSizeList(type)) {
    const child = data.children[0];
    if (!child || child.length < end * type.listSize) return `${child?.length ?? 0} child values for ${length} lists of ${type.listSize}`;
    return checkData(child, depth + 1);
  }
  if (DataType.isStruct(type)) {
    for (const child of data.children) {
      if (child.length < end) return `a struct child of ${child.length} values for ${end}`;
      const problem = checkData(child, depth + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (DataType.isBool(type)) return ((data.values as Uint8Array | undefined)?.length ?? 0) * 8 < end ? `${length} booleans in a short buffer` : null;
  if (DataType.isInt(type) || DataType.isFloat(type)) {
    const stride = (data as unknown as { stride?: number }).stride ?? 1;
    return ((data.values as ArrayLike<unknown> | undefined)?.length ?? 0) < end * stride ? `${length} numbers in a short buffer` : null;
  }
  return null;
}
