/**
 * One interface over every tokenizer the collator uses: Hugging Face tokenizer.json files (BPE, Unigram) and the
 * built-in byte-level tokenizer. `encode` never adds special tokens: templates place BOS/EOS themselves, so the
 * label mask knows exactly where they are.
 */
export interface EncodeOptions {
  /**
   * The text continues a sequence (it is not its first text segment). Tokenizers that add a start-of-text marker
   * (SentencePiece's "▁" prefix via Metaspace/Prepend, ByteLevel's add_prefix_space) skip it for continuations,
   * so encoding a conversation segment by segment does not insert a spurious space at every segment start.
   */
  continuation?: boolean;
}

export interface TextTokenizer {
  /** A short name for messages and `describe` ("byte-level", a file path). */
  readonly name: string;
  /** All ids are < vocabSize (text tokens, special tokens and reserved ids). */
  readonly vocabSize: number;
  readonly bosId: number | null;
  readonly eosId: number | null;
  /** Padding id (always set: falls back to unk or eos, which is harmless since padding is never attended or trained). */
  readonly padId: number;
  readonly unkId: number | null;
  /** Id of the image placeholder token (`<image>`), or null when the vocabulary has none. */
  readonly imageId: number | null;
  /**
   * Ids ≥ this are reserved: `encode` never produces them from text (the byte-level tokenizer's tail). Action
   * tokens placed there can never collide with text. Equal to vocabSize for file tokenizers.
   */
  readonly textIdLimit: number;
  /**
   * How to build this tokenizer again in another thread (plain data: structured-cloneable). Tokenizers without
   * one work in-process only; the collator pool needs it.
   */
  readonly recipe?: TokenizerRecipe;
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: ArrayLike<number>): string;
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
}

/** What `tokenizerFromRecipe` rebuilds a tokenizer from. */
export type TokenizerRecipe =
  | { kind: "byte"; options: { specials?: readonly string[]; reserved?: number } }
  | { kind: "hf"; tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown>; options: Record<string, unknown> };
