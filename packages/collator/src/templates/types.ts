import type { ChatTemplateSpec } from "./chat-template.js";
import type { Message, SampleKind } from "@cotrain/core";

/**
 * What a template sees of one row. The collator decides the flags; the template only lays the conversation out
 * and marks which segments are targets.
 */
export interface TemplateInput {
  kind: SampleKind;
  /** The row's messages in order (system, user and assistant turns; the `<image>` placeholder already removed). */
  messages: readonly Message[];
  /** Put an image placeholder segment in the text. */
  hasImage: boolean;
  /** Assistant text is a target: always on web rows, `robotText` on robot rows. */
  trainText: boolean;
  /** The robot row's actions become tokens: the final assistant turn carries an "actions" segment. */
  actionTokens: boolean;
}

/**
 * Where a segment's tokens come from:
 * - "text": `text` encoded by the tokenizer;
 * - "bos" / "eos": the tokenizer's special id;
 * - "image": the image placeholder id, repeated `imageTokens` times (never trained);
 * - "actions": the row's action token ids (trained on real, unpadded chunk steps).
 */
export type SegmentType = "text" | "bos" | "eos" | "image" | "actions";

/**
 * Who a segment belongs to. Only "assistant" and "action" segments may be trained; truncation of robot rows
 * shortens "user" text first (the instruction), never "template" text (the fixed prompt around it).
 */
export type SegmentRole = "template" | "system" | "user" | "assistant" | "image" | "action";

export interface Segment {
  type: SegmentType;
  role: SegmentRole;
  trained: boolean;
  /** For "text" segments. */
  text?: string;
}

export interface PromptTemplate {
  readonly name: string;
  /** The spec a chat template was made from (plain data), so another thread can make it again. */
  readonly spec?: ChatTemplateSpec;
  render(input: TemplateInput): Segment[];
}
