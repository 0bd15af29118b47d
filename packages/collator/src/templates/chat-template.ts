import type { Message } from "@cotrain/core";
import type { PromptTemplate, Segment, TemplateInput } from "./types.js";

/**
 * A conversation template described by its strings, the shape shared by LLaVA, OpenVLA (Prismatic's "pure"
 * prompt) and most chat formats: an optional system line, then user and assistant turns, each assistant turn
 * closed by an end-of-turn separator and/or EOS.
 *
 * Where the text is cut into segments matters for tokenization (see README, "Segments and BPE merges"): the
 * space before an assistant answer belongs to the answer (`assistant.lead`), so " The" stays one token as in
 * whole-string encoding, and the label boundary falls on a boundary the pre-tokenizer makes anyway.
 */
export interface ChatTemplateSpec {
  name: string;
  /** Start with the tokenizer's BOS id (default true). */
  bos?: boolean;
  /** The default system line, used when the row has no system message (default none). */
  system?: string | null;
  /** Text between the system line and the first turn. */
  systemSuffix?: string;
  user: { prefix: string; suffix?: string };
  assistant: {
    /** Untrained text that opens the turn (" ASSISTANT:"). */
    prefix: string;
    /** Text put before non-empty answer content, inside the trained segment (" "). */
    lead?: string;
    /** Trained end-of-turn text after the content (before EOS). */
    suffix?: string;
    /** Close each assistant turn with the EOS id, trained (default true). */
    eos?: boolean;
  };
  /** How a robot row's instruction is asked; "{instruction}" is replaced by the user turn (default as is). */
  robotPrompt?: string;
  /** Where the image placeholder goes: at the start of the first turn (LLaVA) or right after BOS (default). */
  imagePosition?: "first-turn" | "start";
  /** Untrained text right after the image placeholder ("\n" in LLaVA). */
  imageSuffix?: string;
}

const INSTRUCTION = "{instruction}";

export function chatTemplate(spec: ChatTemplateSpec): PromptTemplate {
  if (typeof spec.name !== "string" || spec.name.length === 0) throw new TypeError(`a template needs a non-empty \`name\`, got ${JSON.stringify(spec.name)}`);
  if (spec.robotPrompt !== undefined && spec.robotPrompt.split(INSTRUCTION).length !== 2) {
    throw new TypeError(`template ${spec.name}: \`robotPrompt\` must contain "${INSTRUCTION}" exactly once, got ${JSON.stringify(spec.robotPrompt)}`);
  }
  const frozen = structuredClone(spec);
  return { name: frozen.name, spec: frozen, render: (input) => renderChat(frozen, input) };
}

function renderChat(spec: ChatTemplateSpec, input: TemplateInput): Segment[] {
  const out: Segment[] = [];
  const text = (t: string | undefined, role: Segment["role"], trained = false): void => {
    if (t) out.push({ type: "text", role, trained, text: t });
  };
  let imagePending = input.hasImage;
  const placeImage = (): void => {
    if (!imagePending) return;
    out.push({ type: "image", role: "image", trained: false });
    text(spec.imageSuffix, "template");
    imagePending = false;
  };

  if (spec.bos ?? true) out.push({ type: "bos", role: "template", trained: false });
  if ((spec.imagePosition ?? "start") === "start") placeImage();
  const systemText = input.messages.filter((m) => m.role === "system").map((m) => m.content);
  const system = systemText.length > 0 ? systemText.join("\n") : spec.system;
  if (system) {
    text(system, "system");
    text(spec.systemSuffix, "template");
  }

  const turns = robotTurns(input);
  let lastAssistant = -1;
  turns.forEach((t, i) => t.role === "assistant" && (lastAssistant = i));
  turns.forEach((turn, i) => {
    if (turn.role === "user") {
      text(spec.user.prefix, "template");
      placeImage();
      if (input.kind === "robot" && spec.robotPrompt !== undefined) {
        const [before, after] = spec.robotPrompt.split(INSTRUCTION) as [string, string];
        text(before, "template");
        text(turn.content, "user");
        text(after, "template");
      } else text(turn.content, "user");
      text(spec.user.suffix, "template");
      return;
    }
    placeImage();
    text(spec.assistant.prefix, "template");
    const actions = input.kind === "robot" && input.actionTokens && i === lastAssistant;
    if (turn.content.length > 0) text((spec.assistant.lead ?? "") + turn.content, "assistant", input.trainText);
    if (actions) out.push({ type: "actions", role: "action", trained: true });
    // An empty turn added to a robot row (no answer text, continuous actions) ends at the prompt, as at inference.
    if (turn.synthetic && !actions) return;
    const closeTrained = input.trainText || actions;
    text(spec.assistant.suffix, "assistant", closeTrained);
    if (spec.assistant.eos ?? true) out.push({ type: "eos", role: "assistant", trained: closeTrained });
  });
  placeImage();
  return spacesForward(out);
}

/**
 * Moves the spaces that end a text segment to the start of the next text segment ("USER: " + "What" becomes
 * "USER:" + " What"). Byte-level BPE and SentencePiece both attach a space to the word after it, so the segment
 * boundary then falls where whole-string encoding would split anyway and the tokens come out the same.
 */
function spacesForward(segments: Segment[]): Segment[] {
  for (let i = 0; i + 1 < segments.length; i++) {
    const a = segments[i] as Segment;
    const b = segments[i + 1] as Segment;
    if (a.type !== "text" || b.type !== "text" || !a.text || !b.text || /^\s/.test(b.text)) continue;
    const trimmed = a.text.replace(/ +$/, "");
    if (trimmed === a.text) continue;
    b.text = a.text.slice(trimmed.length) + b.text;
    a.text = trimmed;
  }
  return segments.filter((s) => s.type !== "text" || (s.text ?? "") !== "");
}

interface Turn {
  role: "user" | "assistant";
  content: string;
  synthetic: boolean;
}

/** Non-system turns; a robot row always has a user turn (its instruction) and ends with an assistant turn. */
function robotTurns(input: TemplateInput): Turn[] {
  const turns: Turn[] = input.messages
    .filter((m): m is Message & { role: "user" | "assistant" } => m.role !== "system")
    .map((m) => ({ role: m.role, content: m.content, synthetic: false }));
  if (input.kind !== "robot") return turns;
  if (!turns.some((t) => t.role === "user")) turns.unshift({ role: "user", content: "", synthetic: true });
  if (turns[turns.length - 1]?.role !== "assistant") turns.push({ role: "assistant", content: "", synthetic: true });
  return turns;
}
