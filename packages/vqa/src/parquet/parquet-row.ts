import { FormatError, MissingError, ValueError, parquetValues } from "@cotrain/core";
import type { ErrorLocation, Message } from "@cotrain/core";
import { normalizeTurns, typeName } from "../conversation.js";
import type { ImageRef } from "../image-load.js";
import type { ParsedSample, RawRecord } from "../record-cursor.js";
import type { ParquetRecord } from "./parquet-cursor.js";

const { bytesOf, isRecord, listOf, textOf } = parquetValues;

/**
 * One Parquet row as a sample. Text comes from a messages/conversations list, or from question/answer columns
 * (user asks, assistant answers; an answer list, as in VQAv2-style `answers`, contributes its first element,
 * which may also be an `{answer}` struct). Images come inline as bytes; a struct with only a `path` is read from
 * the image root. Nothing is added to the text: a Q/A row has no `<image>` marker unless its question holds one.
 */
export function parseParquetRow(record: RawRecord<ParquetRecord>): ParsedSample {
  const { row, layout, name } = record.value;
  const where: ErrorLocation = { ...record.where };
  const id = layout.id === null ? `${name}#${record.where.row}` : idOf(row[layout.id], layout.id, where);
  where.id = id;
  const messages = layout.messages !== null ? normalizeTurns(listOf(row[layout.messages]) ?? row[layout.messages], layout.messages, where, textOf) : qaMessages(row, layout.question as string, layout.answer as string, where);
  const images = layout.image === null ? [] : imageRefs(row[layout.image], layout.image, layout.imageShape === "list", where);
  return { id, messages, images };
}

function idOf(value: unknown, column: string, where: ErrorLocation): string {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  const text = textOf(value);
  if (text !== null && text !== "") return text;
  if (value === undefined || value === null) throw new MissingError("PARQUET_NO_ID", `the ${column} column is null`, { ...where, field: column });
  throw new FormatError("PARQUET_BAD_ID", `${column} must be a string or an integer, got ${typeName(value)}`, { ...where, field: column });
}

function qaMessages(row: Record<string, unknown>, questionColumn: string, answerColumn: string, where: ErrorLocation): Message[] {
  const question = textOf(row[questionColumn]);
  if (question === null) throw new MissingError("PARQUET_NO_QUESTION", `${questionColumn} is null or not text (${typeName(row[questionColumn])})`, { ...where, field: questionColumn });
  const raw = row[answerColumn];
  const list = typeof raw === "string" ? null : listOf(raw);
  let answer: string | null;
  if (list === null) answer = textOf(raw);
  else if (list.length === 0) throw new ValueError("PARQUET_NO_ANSWER", `${answerColumn} is an empty list`, { ...where, field: answerColumn });
  else answer = textOf(isRecord(list[0]) ? list[0].answer : list[0]);
  if (answer === null) throw new MissingError("PARQUET_NO_ANSWER", `${answerColumn} is null or not text (${typeName(raw)})`, { ...where, field: answerColumn });
  return [
    { role: "user", content: question },
    { role: "assistant", content: answer },
  ];
}

function imageRefs(value: unknown, column: string, isList: boolean, where: ErrorLocation): ImageRef[] {
  if (value === undefined || value === null) return [];
  if (!isList) return [imageRef(value, column, where)];
  const items = listOf(value);
  if (items === null) throw new FormatError("PARQUET_BAD_IMAGE", `${column} must be a list of images, got ${typeName(value)}`, { ...where, field: column });
  return items.map((item, k) => imageRef(item, `${column}[${k}]`, where));
}

/** A `{bytes, path}` struct (the `datasets` Image feature) or a bare binary value. */
function imageRef(value: unknown, field: string, where: ErrorLocation): ImageRef {
  const bytes = bytesOf(value);
  if (bytes !== null) return { field, bytes };
  if (isRecord(value)) {
    const inner = bytesOf(value.bytes);
    const path = textOf(value.path) ?? undefined;
    if (inner !== null && inner.length > 0) return path === undefined || path === "" ? { field, bytes: inner } : { field, bytes: inner, path };
    if (path !== undefined && path !== "") return { field, path };
    throw new MissingError("VQA_IMAGE_NO_DATA", "the image struct has neither bytes nor a path", { ...where, field });
  }
  throw new FormatError("PARQUET_BAD_IMAGE", `an image must be a {bytes, path} struct or binary, got ${typeName(value)}`, { ...where, field });
}
