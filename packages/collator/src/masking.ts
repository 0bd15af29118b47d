import { ConfigError, ValueError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import { IGNORE_INDEX } from "./batch.js";
import type { Segment, SegmentRole } from "./templates/types.js";
import type { TextTokenizer } from "./tokenizer/types.js";

/** Per-token owner codes kept beside ids and labels (truncation and describe use them). */
export const ROLE: Record<SegmentRole, number> = { template: 0, system: 1, user: 2, assistant: 3, image: 4, action: 5 };

export interface RowTokens {
  ids: number[];
  labels: number[];
  roles: number[];
}

export interface MaskingContext {
  tokenizer: TextTokenizer;
  /** Placeholder ids per image segment. */
  imageTokens: number;
  /** Action token ids [first, end), when actions are tokens. */
  actionRange: readonly [number, number] | null;
  /** What to do when text encodes to an id inside the action range. */
  textCollision: "raise" | "count";
  onCollision: () => void;
  /** Encodings of fixed template text, keyed by continuation flag + text. */
  cache: Map<string, number[]>;
}

const CACHE_LIMIT = 4096;

/**
 * Turns a template's segments into ids and labels. Each text segment is encoded on its own, so the label
 * boundary is exactly a segment boundary (no character-offset mapping, no off-by-one between a whole-string
 * encoding and per-turn lengths). Labels equal ids on trained segments and IGNORE_INDEX elsewhere.
 */
export function segmentsToTokens(segments: readonly Segment[], ctx: MaskingContext, action: { ids: Int32Array; pad: readonly boolean[] } | null, where: ErrorLocation): RowTokens {
  const out: RowTokens = { ids: [], labels: [], roles: [] };
  const push = (id: number, trained: boolean, role: number): void => {
    out.ids.push(id);
    out.labels.push(trained ? id : IGNORE_INDEX);
    out.roles.push(role);
  };
  let seenText = false;
  for (const seg of segments) {
    if (seg.trained && seg.role !== "assistant" && seg.role !== "action") {
      throw new ConfigError("TEMPLATE_TRAINS_PROMPT", `template marked a ${seg.role} segment as trained; only assistant and action segments may be`, where);
    }
    const role = ROLE[seg.role];
    switch (seg.type) {
      case "bos":
      case "eos": {
        const id = seg.type === "bos" ? ctx.tokenizer.bosId : ctx.tokenizer.eosId;
        if (id === null) throw new ConfigError("TOKENIZER_NO_SPECIAL", `the template needs a ${seg.type.toUpperCase()} token and ${ctx.tokenizer.name} has none (set it in loadTokenizer's options)`, where);
        push(id, seg.trained, role);
        break;
      }
      case "image": {
        if (ctx.imageTokens === 0) break;
        const id = ctx.tokenizer.imageId;
        if (id === null) throw new ConfigError("TOKENIZER_NO_IMAGE", `${ctx.tokenizer.name} has no image placeholder token; set \`imageToken\` or \`image.tokens: 0\``, where);
        for (let k = 0; k < ctx.imageTokens; k++) push(id, false, role);
        break;
      }
      case "actions": {
        if (action === null) throw new ConfigError("TEMPLATE_ACTIONS", "template placed an actions segment in a row without action tokens", where);
        const perStep = action.ids.length / action.pad.length;
        for (let k = 0; k < action.ids.length; k++) push(action.ids[k] as number, seg.trained && !action.pad[Math.floor(k / perStep)], role);
        break;
      }
      case "text": {
        const ids = encodeSegment(seg, seenText, ctx, where);
        seenText = true;
        for (const id of ids) push(id, seg.trained, role);
        break;
      }
    }
  }
  return out;
}

function encodeSegment(seg: Segment, continuation: boolean, ctx: MaskingContext, where: ErrorLocation): number[] {
  const text = seg.text ?? "";
  const fixed = seg.role === "template" || seg.role === "system";
  const key = (continuation ? "1" : "0") + text;
  let ids = fixed ? ctx.cache.get(key) : undefined;
  if (ids === undefined) {
    ids = ctx.tokenizer.encode(text, { continuation });
    if (fixed) {
      if (ctx.cache.size >= CACHE_LIMIT) ctx.cache.clear();
      ctx.cache.set(key, ids);
    }
  }
  const range = ctx.actionRange;
  if (range !== null) {
    for (const id of ids) {
      if (id < range[0] || id >= range[1]) continue;
      if (ctx.textCollision === "raise") {
        throw new ValueError("ACTION_ID_IN_TEXT", `text ${JSON.stringify(text.slice(0, 60))} encodes to id ${id}, inside the action token range ${range[0]}..${range[1] - 1} (use placement "append", or textCollision "count")`, { ...where, field: "messages" });
      }
      ctx.onCollision();
    }
  }
  return ids;
}
