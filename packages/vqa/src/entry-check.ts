import { ValueError } from "@cotrain/core";
import { typeName } from "./conversation.js";
import type { VqaEntry } from "./entry.js";

const SPEAKERS = new Set(["human", "gpt", "system"]);

/** What the writers require of an entry, checked before anything is written for it. */
export function checkEntry(entry: VqaEntry, row: number, file: string): void {
  const where = { file, row };
  if (typeof entry.id !== "string" || entry.id === "") throw new ValueError("VQA_WRITE_ID", `id must be a non-empty string, got ${typeName(entry.id)}`, { ...where, field: "id" });
  const at = { ...where, id: entry.id };
  if (!Array.isArray(entry.conversations) || entry.conversations.length === 0) {
    throw new ValueError("VQA_WRITE_CONVERSATIONS", "conversations must be a non-empty list", { ...at, field: "conversations" });
  }
  entry.conversations.forEach((turn, i) => {
    if (!SPEAKERS.has(turn?.from)) throw new ValueError("VQA_WRITE_ROLE", `from must be human, gpt or system, got ${typeName(turn?.from)}`, { ...at, field: `conversations[${i}].from` });
    if (typeof turn.value !== "string") throw new ValueError("VQA_WRITE_TURN", `value must be a string, got ${typeName(turn.value)}`, { ...at, field: `conversations[${i}].value` });
  });
  if (!Array.isArray(entry.images)) throw new ValueError("VQA_WRITE_IMAGES", "images must be a list (empty for text-only)", { ...at, field: "images" });
  entry.images.forEach((image, k) => {
    if (typeof image?.path !== "string" || image.path === "") throw new ValueError("VQA_WRITE_IMAGE_PATH", `images[${k}].path must be a non-empty string`, { ...at, field: `images[${k}].path` });
    if (image.bytes !== undefined && !(image.bytes instanceof Uint8Array)) throw new ValueError("VQA_WRITE_IMAGE_BYTES", `images[${k}].bytes must be a Uint8Array`, { ...at, field: `images[${k}].bytes` });
  });
}
