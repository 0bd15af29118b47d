import { FormatError, MissingError, ValueError } from "@cotrain/core";
import type { ErrorLocation, Message, Role } from "@cotrain/core";

/** Speaker names seen in LLaVA-style (`from`) and chat-style (`role`) data, mapped to the canonical roles. */
const ROLES: Readonly<Record<string, Role>> = { human: "user", user: "user", gpt: "assistant", assistant: "assistant", system: "system" };

export function roleOf(speaker: string): Role | undefined {
  return Object.hasOwn(ROLES, speaker) ? ROLES[speaker] : undefined;
}

/**
 * Normalizes a conversation: a list of `{from, value}` (LLaVA) or `{role, content}` (chat) turns, in order, with
 * the text kept exactly as written (so the `<image>` marker stays where it was). `field` names the list in errors.
 */
export function normalizeTurns(turns: unknown, field: string, where: ErrorLocation, textOf: (v: unknown) => string | null = asString): Message[] {
  if (turns === undefined || turns === null) throw new MissingError("VQA_NO_CONVERSATIONS", `the entry has no ${field}`, { ...where, field });
  if (!Array.isArray(turns)) throw new FormatError("VQA_BAD_CONVERSATIONS", `${field} must be a list of turns, got ${typeName(turns)}`, { ...where, field });
  if (turns.length === 0) throw new ValueError("VQA_EMPTY_CONVERSATIONS", `${field} is empty`, { ...where, field });
  return turns.map((turn, i) => normalizeTurn(turn, `${field}[${i}]`, where, textOf));
}

function normalizeTurn(turn: unknown, field: string, where: ErrorLocation, textOf: (v: unknown) => string | null): Message {
  if (typeof turn !== "object" || turn === null || Array.isArray(turn)) {
    throw new FormatError("VQA_BAD_TURN", `a turn must be an object with from/value or role/content, got ${typeName(turn)}`, { ...where, field });
  }
  const t = turn as Record<string, unknown>;
  const [speakerKey, textKey] = "from" in t || !("role" in t) ? ["from", "value"] : ["role", "content"];
  const speaker = textOf(t[speakerKey]);
  if (speaker === null) throw new FormatError("VQA_BAD_TURN", `${speakerKey} must be a string, got ${typeName(t[speakerKey])}`, { ...where, field: `${field}.${speakerKey}` });
  const role = roleOf(speaker);
  if (role === undefined) {
    throw new ValueError("VQA_UNKNOWN_ROLE", `unknown role ${JSON.stringify(speaker)} (expected human/gpt/system or user/assistant/system)`, { ...where, field: `${field}.${speakerKey}` });
  }
  const content = textOf(t[textKey]);
  if (content === null) throw new FormatError("VQA_BAD_TURN", `${textKey} must be a string, got ${typeName(t[textKey])}`, { ...where, field: `${field}.${textKey}` });
  checkText(content, { ...where, field: `${field}.${textKey}` });
  return { role, content };
}

/**
 * Raises FormatError VQA_BAD_TEXT for a string that is not Unicode text: JSON may escape a lone surrogate
 * ("\ud800"), which no UTF-8 column can hold, so writing it would silently turn it into U+FFFD.
 */
export function checkText(text: string, where: ErrorLocation): void {
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    throw new FormatError("VQA_BAD_TEXT", "holds a lone UTF-16 surrogate (an escape such as \\ud800 that is not a character)", where);
  }
}

function asString(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Uint8Array) return "bytes";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}
