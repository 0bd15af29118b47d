import { CATEGORIES, COLOR_NAMES, OBJECT_TYPES, pluralOf } from "./objects.js";
import { QUESTION_TEMPLATES } from "./questions.js";
import { REGIONS } from "./refer.js";
import { DIRECTIONS, TEMPLATES } from "./tasks.js";

/**
 * The world's own tokenizer, written as a Hugging Face `tokenizer.json` (a WordPiece model, as BERT's): every word
 * the world's instructions, questions and answers use is one token, so "apple" is the same single token in a robot
 * instruction and in a web answer, as in the subword vocabularies real VLAs inherit from their language model.
 * Single characters (and their "##" continuations) spell out any other word, so no text is ever unknown. The last
 * 256 ids are reserved for action tokens (OpenVLA places its 256 action bins on the tail of the vocabulary).
 */

export const TOKENIZER_DIR = "tokenizer";
export const SPECIAL_TOKENS = { pad: "<pad>", unk: "<unk>", bos: "<s>", eos: "</s>", image: "<image>" } as const;
export const ACTION_TOKEN_COUNT = 256;

/**
 * Words of the prompt templates the collator ships (OpenVLA's "In: What action should the robot take to …?\nOut:",
 * LLaVA v1's system line and roles), so the demo's prompts are whole words too.
 */
const PROMPT_TEXT =
  "In: What action should the robot take to?\nOut: A chat between a curious human and an artificial intelligence assistant. " +
  "The assistant gives helpful, detailed, and polite answers to the human's questions. USER: ASSISTANT:";

const PUNCTUATION = [..."?:.,'!-"];
const CHARACTERS = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"];

/** Words and punctuation as BERT's pre-tokenizer cuts them (whitespace dropped, each punctuation mark alone). */
export function splitWords(text: string): string[] {
  return text.match(/[A-Za-z0-9]+|[^\sA-Za-z0-9]/g) ?? [];
}

/** Every whole word the world's text can contain (the template slots filled with every value), sorted. */
export function worldWords(maxObjects = 6): string[] {
  const texts = [
    ...Object.values(TEMPLATES).flat(),
    ...QUESTION_TEMPLATES,
    ...COLOR_NAMES,
    ...OBJECT_TYPES,
    ...CATEGORIES,
    ...CATEGORIES.map(pluralOf),
    ...Object.keys(DIRECTIONS),
    ...REGIONS,
    ...Array.from({ length: maxObjects + 1 }, (_, n) => String(n)),
    "yes no",
    PROMPT_TEXT,
  ];
  const words = new Set(texts.flatMap((t) => splitWords(t.replace(/\{\w+\}/g, " "))));
  for (const p of PUNCTUATION) words.delete(p);
  return [...words].sort();
}

export interface TokenizerFiles {
  /** The contents of tokenizer.json. */
  tokenizer: Record<string, unknown>;
  /** The contents of tokenizer_config.json (names the special tokens). */
  config: Record<string, unknown>;
  vocabSize: number;
}

/** The tokenizer.json and tokenizer_config.json of the world (same words, same ids, on every run). */
export function worldTokenizer(maxObjects = 6): TokenizerFiles {
  const specials = Object.values(SPECIAL_TOKENS);
  const words = worldWords(maxObjects);
  const pieces = [...CHARACTERS.filter((c) => !words.includes(c)), ...CHARACTERS.map((c) => `##${c}`)];
  const list = [...specials, ...PUNCTUATION, ...words, ...pieces];
  // Bin b of the action tokenizer is id vocabSize − 1 − b (the collator's "tail" placement).
  for (let b = ACTION_TOKEN_COUNT - 1; b >= 0; b--) list.push(`<action_${b}>`);
  const vocab = Object.fromEntries(list.map((token, id) => [token, id]));
  const special = (token: string): Record<string, unknown> => ({ id: vocab[token], content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [...specials, ...list.slice(list.length - ACTION_TOKEN_COUNT)].map(special),
    normalizer: null,
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: null,
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: { type: "WordPiece", unk_token: SPECIAL_TOKENS.unk, continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab },
  };
  const config = {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: SPECIAL_TOKENS.bos,
    eos_token: SPECIAL_TOKENS.eos,
    pad_token: SPECIAL_TOKENS.pad,
    unk_token: SPECIAL_TOKENS.unk,
    model_max_length: 128,
  };
  return { tokenizer, config, vocabSize: list.length };
}
