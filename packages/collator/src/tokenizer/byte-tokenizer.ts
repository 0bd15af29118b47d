import type { EncodeOptions, TextTokenizer, TokenizerRecipe } from "./types.js";

export interface ByteTokenizerOptions {
  /** Extra special tokens after the built-in ones (`<pad>`, `<s>`, `</s>`, `<image>`), each one id. */
  specials?: readonly string[];
  /**
   * Ids reserved at the end of the vocabulary that text never produces (default 256): room for OpenVLA-style
   * action tokens ("tail" placement) that cannot collide with any byte or special token.
   */
  reserved?: number;
}

const BUILT_IN = ["<pad>", "<s>", "</s>", "<image>"] as const;

/**
 * A tokenizer that needs no file: ids 0..255 are the UTF-8 bytes of the text, then the special tokens, then
 * `reserved` unused ids. For tests and tiny models; every string round-trips exactly.
 */
export function createByteTokenizer(options: ByteTokenizerOptions = {}): TextTokenizer {
  const reserved = options.reserved ?? 256;
  if (!Number.isInteger(reserved) || reserved < 0) throw new RangeError(`\`reserved\` must be a non-negative integer, got ${reserved}`);
  const specials = [...BUILT_IN, ...(options.specials ?? [])];
  if (new Set(specials).size !== specials.length) throw new RangeError(`special tokens must be distinct, got ${JSON.stringify(specials)}`);
  return new ByteTokenizer(specials, reserved, { kind: "byte", options: { specials: options.specials ?? [], reserved } });
}

class ByteTokenizer implements TextTokenizer {
  readonly name = "byte-level";
  readonly vocabSize: number;
  readonly textIdLimit: number;
  readonly padId = 256;
  readonly bosId = 257;
  readonly eosId = 258;
  readonly imageId = 259;
  readonly unkId = null;
  private readonly specialIds: Map<string, number>;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly specials: readonly string[],
    reserved: number,
    readonly recipe: TokenizerRecipe,
  ) {
    this.textIdLimit = 256 + specials.length;
    this.vocabSize = this.textIdLimit + reserved;
    this.specialIds = new Map(specials.map((s, i) => [s, 256 + i]));
  }

  encode(text: string, _options?: EncodeOptions): number[] {
    return Array.from(this.encoder.encode(text));
  }

  decode(ids: ArrayLike<number>): string {
    let out = "";
    let bytes: number[] = [];
    const flush = (): void => {
      if (bytes.length > 0) out += this.decoder.decode(Uint8Array.from(bytes));
      bytes = [];
    };
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id >= 0 && id < 256) bytes.push(id);
      else {
        flush();
        out += this.idToToken(id) ?? "";
      }
    }
    flush();
    return out;
  }

  idToToken(id: number): string | undefined {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) return undefined;
    if (id < 256) return id >= 0x20 && id < 0x7f ? String.fromCharCode(id) : `<0x${id.toString(16).toUpperCase().padStart(2, "0")}>`;
    if (id < this.textIdLimit) return this.specials[id - 256];
    return `<reserved_${id - this.textIdLimit}>`;
  }

  tokenToId(token: string): number | undefined {
    const special = this.specialIds.get(token);
    if (special !== undefined) return special;
    if (token.length === 1 && token.charCodeAt(0) >= 0x20 && token.charCodeAt(0) < 0x7f) return token.charCodeAt(0);
    const hex = /^<0x([0-9A-F]{2})>$/.exec(token);
    if (hex) return parseInt(hex[1] as string, 16);
    const res = /^<reserved_(\d+)>$/.exec(token);
    if (res) {
      const id = this.textIdLimit + Number(res[1]);
      return id < this.vocabSize ? id : undefined;
    }
    return undefined;
  }
}
