import { ConfigError } from "@cotrain/core";
import type { ActionsOption } from "./actions/layout.js";
import type { ImageOptions } from "./images.js";
import type { ChatTemplateSpec } from "./templates/chat-template.js";
import type { PromptTemplate } from "./templates/types.js";
import type { TextTokenizer } from "./tokenizer/types.js";
import { createByteTokenizer } from "./tokenizer/byte-tokenizer.js";

export interface CollatorOptions {
  /** A loaded tokenizer (`loadTokenizer`, `createByteTokenizer`) or "byte" for the built-in byte-level one. */
  tokenizer: TextTokenizer | "byte";
  /** A registered template name ("openvla", "llava_v1", "plain"), a spec, or a template object (default "openvla"). */
  template?: string | PromptTemplate | ChatTemplateSpec;
  /**
   * How robot rows' actions are trained (continuous, tokens, or "none" for text only). Left out, robot rows are
   * refused with a ConfigError naming this option (web-only streams need none).
   */
  actions?: ActionsOption;
  /** Pixels for the model; null or absent: no pixels (text and masks only). */
  image?: ImageOptions | null;
  /** Train the answer text of robot rows (default false: robot rows train only their actions). */
  robotText?: boolean;
  /** Truncate rows longer than this (see truncation.ts for what is cut). */
  maxLength?: number;
  /** "longest" (default) pads to the longest row, "max" to maxLength. */
  padding?: "longest" | "max";
  padToMultipleOf?: number;
  /** Placeholder ids per image in the text (default 1 when the tokenizer has an image token, else 0). */
  imageTokens?: number;
  /** The placeholder string removed from message text, as LLaVA data writes it (default "<image>"). */
  imagePlaceholder?: string;
  /** Text that encodes into the action token range: "raise" (default) or "count" (keep and count). */
  textCollision?: "raise" | "count";
  /** Source names in index order, so `sources` ids are fixed in advance (others are added as they appear). */
  sourceNames?: readonly string[];
  /** Epoch mixed into the augmentation seeds (also settable with collator.setEpoch). */
  epoch?: number;
}

export interface ResolvedOptions {
  tokenizer: TextTokenizer;
  robotText: boolean;
  maxLength: number | null;
  padding: "longest" | "max";
  multipleOf: number;
  imageTokens: number;
  placeholder: string;
  textCollision: "raise" | "count";
}

export function resolveOptions(o: CollatorOptions): ResolvedOptions {
  if (o === null || typeof o !== "object") throw new ConfigError("COLLATOR_OPTIONS", `createCollator needs an options object, got ${String(o)}`);
  const tokenizer = o.tokenizer === "byte" ? createByteTokenizer() : o.tokenizer;
  if (!tokenizer || typeof tokenizer.encode !== "function") throw new ConfigError("COLLATOR_TOKENIZER", '`tokenizer` must be a tokenizer (loadTokenizer, createByteTokenizer) or "byte"');
  const maxLength = o.maxLength ?? null;
  if (maxLength !== null && (!Number.isInteger(maxLength) || maxLength < 1)) throw new ConfigError("COLLATOR_MAX_LENGTH", `\`maxLength\` must be a positive integer, got ${maxLength}`);
  const padding = o.padding ?? "longest";
  if (padding !== "longest" && padding !== "max") throw new ConfigError("COLLATOR_PADDING", `\`padding\` must be "longest" or "max", got ${JSON.stringify(padding)}`);
  if (padding === "max" && maxLength === null) throw new ConfigError("COLLATOR_PADDING", '`padding: "max"` needs `maxLength`');
  const multipleOf = o.padToMultipleOf ?? 1;
  if (!Number.isInteger(multipleOf) || multipleOf < 1) throw new ConfigError("COLLATOR_PAD_MULTIPLE", `\`padToMultipleOf\` must be a positive integer, got ${multipleOf}`);
  const imageTokens = o.imageTokens ?? (tokenizer.imageId !== null ? 1 : 0);
  if (!Number.isInteger(imageTokens) || imageTokens < 0) throw new ConfigError("COLLATOR_IMAGE_TOKENS", `\`imageTokens\` must be a non-negative integer, got ${imageTokens}`);
  if (imageTokens > 0 && tokenizer.imageId === null) throw new ConfigError("COLLATOR_IMAGE_TOKENS", `\`imageTokens\` is ${imageTokens} but ${tokenizer.name} has no image token (loadTokenizer's imageToken option)`);
  const textCollision = o.textCollision ?? "raise";
  if (textCollision !== "raise" && textCollision !== "count") throw new ConfigError("COLLATOR_COLLISION", `\`textCollision\` must be "raise" or "count", got ${JSON.stringify(textCollision)}`);
  return { tokenizer, robotText: o.robotText ?? false, maxLength, padding, multipleOf, imageTokens, placeholder: o.imagePlaceholder ?? "<image>", textCollision };
}
