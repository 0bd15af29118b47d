import { readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { ConfigError, FormatError, MissingError, ValueError } from "@cotrain/core";
import { continuationVariant } from "./continuation.js";
import type { EncodeOptions, TextTokenizer, TokenizerRecipe } from "./types.js";

export interface HfTokenizerOptions {
  /** Override the special tokens named in tokenizer_config.json (token strings, e.g. "<s>"). */
  bos?: string | null;
  eos?: string | null;
  pad?: string | null;
  unk?: string | null;
  /** The image placeholder token (default "<image>"; its id is null when the vocabulary lacks it). */
  imageToken?: string;
  /** A name for messages (default: the file path, or "tokenizer.json"). */
  name?: string;
}

type Json = Record<string, unknown>;

/**
 * Loads a Hugging Face tokenizer from a local directory (tokenizer.json + tokenizer_config.json) or from a
 * tokenizer.json path (tokenizer_config.json beside it is read when present). Nothing is downloaded.
 */
export async function loadTokenizer(path: string, options: HfTokenizerOptions = {}): Promise<TextTokenizer> {
  const info = await stat(path).catch((cause: unknown) => {
    throw new MissingError("TOKENIZER_MISSING", `no tokenizer at ${path}`, { file: path, cause });
  });
  const file = info.isDirectory() ? join(path, "tokenizer.json") : path;
  const json = await readJson(file, true);
  const config = (await readJson(join(dirname(file), "tokenizer_config.json"), false)) ?? {};
  return tokenizerFromJson(json as Json, config, { name: file, ...options });
}

/** A tokenizer from already-parsed tokenizer.json and tokenizer_config.json objects. */
export function tokenizerFromJson(tokenizerJson: Json, tokenizerConfig: Json = {}, options: HfTokenizerOptions = {}): TextTokenizer {
  return new HfTokenizer(tokenizerJson, tokenizerConfig, options);
}

async function readJson(file: string, required: boolean): Promise<Json | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if (!required) return null;
    throw new MissingError("TOKENIZER_MISSING", `cannot read ${file}`, { file, cause });
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not a JSON object");
    return value as Json;
  } catch (cause) {
    throw new FormatError("TOKENIZER_JSON", `invalid JSON: ${(cause as Error).message}`, { file, cause });
  }
}

/** tokenizer_config.json stores a special token as "<s>" or as an AddedToken object {content: "<s>", ...}. */
function tokenString(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && typeof (value as Json).content === "string") return (value as Json).content as string;
  return null;
}

class HfTokenizer implements TextTokenizer {
  readonly name: string;
  readonly vocabSize: number;
  readonly textIdLimit: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  readonly padId: number;
  readonly unkId: number | null;
  readonly imageId: number | null;
  private readonly first: Tokenizer;
  private readonly rest: Tokenizer;

  readonly recipe: TokenizerRecipe;

  constructor(json: Json, config: Json, options: HfTokenizerOptions) {
    this.name = options.name ?? "tokenizer.json";
    this.recipe = { kind: "hf", tokenizerJson: json, tokenizerConfig: config, options: { ...options } };
    if (!Array.isArray(json.added_tokens)) json = { ...json, added_tokens: [] };
    try {
      this.first = new Tokenizer(json, config);
      const variant = continuationVariant(json);
      this.rest = variant ? new Tokenizer(variant, config) : this.first;
    } catch (cause) {
      throw new FormatError("TOKENIZER_UNSUPPORTED", `cannot build tokenizer: ${(cause as Error).message}`, { file: this.name, cause });
    }
    const vocab = this.first.model?.vocab ?? [];
    this.vocabSize = vocab.length;
    this.textIdLimit = this.vocabSize;
    const id = (key: "bos" | "eos" | "pad" | "unk"): number | null => {
      const token = options[key] !== undefined ? options[key] : tokenString(config[`${key}_token`]);
      if (token === null || token === undefined) return null;
      const found = this.first.token_to_id(token);
      if (found === undefined) throw new ConfigError("TOKENIZER_SPECIAL", `${key} token ${JSON.stringify(token)} is not in the vocabulary`, { file: this.name });
      return found;
    };
    this.bosId = id("bos");
    this.eosId = id("eos");
    this.unkId = id("unk") ?? this.first.model?.unk_token_id ?? null;
    this.padId = id("pad") ?? this.unkId ?? this.eosId ?? 0;
    this.imageId = this.first.token_to_id(options.imageToken ?? "<image>") ?? null;
  }

  encode(text: string, options?: EncodeOptions): number[] {
    if (text.length === 0) return [];
    const tokenizer = options?.continuation ? this.rest : this.first;
    const { ids, tokens } = tokenizer.encode(text, { add_special_tokens: false });
    for (let i = 0; i < ids.length; i++) {
      // A piece outside the vocabulary in a model without an unk token comes back as undefined.
      if (ids[i] === undefined) throw new ValueError("TOKENIZER_UNKNOWN_PIECE", `piece ${JSON.stringify(tokens[i])} of ${JSON.stringify(text.slice(0, 80))} has no id (the model has no unk token)`, { file: this.name });
    }
    return ids;
  }

  decode(ids: ArrayLike<number>): string {
    if (ids.length === 0) return "";
    return this.first.decode(Array.from(ids), { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  idToToken(id: number): string | undefined {
    return this.first.id_to_token(id);
  }

  tokenToId(token: string): number | undefined {
    return this.first.token_to_id(token);
  }
}
