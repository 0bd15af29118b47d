import { FormatError, MissingError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import { checkText, normalizeTurns, typeName } from "../conversation.js";
import type { ImageRef } from "../image-load.js";
import type { ParsedSample, RawRecord } from "../record-cursor.js";

/**
 * Checks one LLaVA entry, `{id, image?, conversations: [{from, value}, ...]}`, and turns it into a sample.
 * `image` is one relative path or, as in multi-image LLaVA-style sets, a list of them; without `image` the entry
 * is a text-only conversation. `id` may be a string or a number (some sets write numeric ids); it is required,
 * because a sample id must be stable and an invented one would silently change when the file is edited.
 */
export function parseLlavaEntry(record: RawRecord<unknown>): ParsedSample {
  const { value } = record;
  const where: ErrorLocation = { ...record.where };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FormatError("LLAVA_ENTRY_NOT_OBJECT", `an entry must be an object, got ${typeName(value)}`, where);
  }
  const entry = value as Record<string, unknown>;
  const id = idOf(entry.id, where);
  where.id = id;
  const messages = normalizeTurns(entry.conversations, "conversations", where);
  return { id, messages, images: imageRefs(entry.image, where) };
}

function idOf(id: unknown, where: ErrorLocation): string {
  if (typeof id === "string" && id !== "") {
    checkText(id, { ...where, field: "id" });
    return id;
  }
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  if (id === undefined || id === null) throw new MissingError("LLAVA_NO_ID", "the entry has no id", { ...where, field: "id" });
  throw new FormatError("LLAVA_BAD_ID", `id must be a non-empty string or a number, got ${typeName(id)}`, { ...where, field: "id" });
}

function imageRefs(image: unknown, where: ErrorLocation): ImageRef[] {
  if (image === undefined || image === null) return [];
  if (typeof image === "string") return [{ field: "image", path: image }];
  if (Array.isArray(image)) {
    return image.map((path, k) => {
      if (typeof path !== "string") throw new FormatError("LLAVA_BAD_IMAGE", `image[${k}] must be a path string, got ${typeName(path)}`, { ...where, field: `image[${k}]` });
      return { field: `image[${k}]`, path };
    });
  }
  throw new FormatError("LLAVA_BAD_IMAGE", `image must be a path string or a list of them, got ${typeName(image)}`, { ...where, field: "image" });
}
