import { MissingError } from "@cotrain/core";
import type { ParquetTable } from "@cotrain/core";

/** Column names to read; unset ones are looked up among the usual Hugging Face names. */
export interface ParquetVqaColumns {
  /** Sample id (default "id"; when no such column exists, the id is `<file name>#<row>`). */
  id?: string;
  /** An image `{bytes, path}` struct, a binary column, or a list of either (default "image", then "images"). */
  image?: string;
  /** A list of `{role, content}` or `{from, value}` turns (default "messages", then "conversations"). */
  messages?: string;
  /** Question text (default "question"); used when there is no messages column, or when set. */
  question?: string;
  /** Answer: a string, or a list whose first element is used (default "answer", then "answers"). */
  answer?: string;
}

export type ImageShape = "single" | "list";

/** The columns one file is read with, worked out from its schema. */
export interface ParquetLayout {
  id: string | null;
  image: string | null;
  imageShape: ImageShape;
  messages: string | null;
  question: string | null;
  answer: string | null;
}

const first = (names: Set<string>, candidates: string[]): string | null => candidates.find((c) => names.has(c)) ?? null;

export function detectLayout(table: ParquetTable, columns: ParquetVqaColumns, file: string): ParquetLayout {
  const names = new Set(table.columns);
  const need = (option: keyof ParquetVqaColumns): string | null => {
    const name = columns[option];
    if (name === undefined) return null;
    if (!names.has(name)) throw new MissingError("PARQUET_NO_COLUMN", `column ${JSON.stringify(name)} (option columns.${option}) is not in the file; it has ${[...names].join(", ")}`, { file, field: name });
    return name;
  };
  const id = need("id") ?? first(names, ["id"]);
  const image = need("image") ?? first(names, ["image", "images"]);
  const wantsQa = columns.question !== undefined || columns.answer !== undefined;
  const messages = need("messages") ?? (wantsQa ? null : first(names, ["messages", "conversations"]));
  let question: string | null = null;
  let answer: string | null = null;
  if (messages === null) {
    question = need("question") ?? first(names, ["question"]);
    answer = need("answer") ?? first(names, ["answer", "answers"]);
    if (question === null || answer === null) {
      throw new MissingError("PARQUET_NO_TEXT", `no messages/conversations column and no question/answer columns (found ${[...names].join(", ")}); set options.columns`, { file });
    }
  }
  return { id, image, imageShape: image !== null && table.columnKind(image) === "list" ? "list" : "single", messages, question, answer };
}

/** The top-level columns a layout reads, so nothing else is decoded. */
export function usedColumns(layout: ParquetLayout): string[] {
  return [layout.id, layout.image, layout.messages, layout.question, layout.answer].filter((c): c is string => c !== null);
}
