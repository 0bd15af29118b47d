// A tiny byte-level BPE trainer (GPT-2 style) for the tests: learns merges from a corpus and writes them in the
// Hugging Face tokenizer.json format, so the collator's loadTokenizer is tested on a real file it did not make.

/** GPT-2's reversible byte → printable character table. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(printable.includes(b) ? b : 256 + extra++);
  return table;
}

const PRE_TOKEN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface BpeFile {
  json: Record<string, unknown>;
  config: Record<string, unknown>;
}

/**
 * Learns `numMerges` merges (most frequent adjacent pair first, ties by the pair's text) and returns a
 * tokenizer.json with a ByteLevel pre-tokenizer/decoder, special tokens <s> </s> <pad> <image>, and `reserved`
 * unused special tokens at the end of the vocabulary.
 */
export function trainBpe(corpus: string[], numMerges: number, reserved = 0): BpeFile {
  const table = bytesToUnicode();
  const encoder = new TextEncoder();
  const words = new Map<string, number>();
  for (const text of corpus) {
    for (const m of text.match(PRE_TOKEN) ?? []) {
      const w = Array.from(encoder.encode(m), (b) => table[b]).join("");
      words.set(w, (words.get(w) ?? 0) + 1);
    }
  }
  const vocab: string[] = [...table];
  const merges: [string, string][] = [];
  let split = [...words].map(([w, n]) => ({ parts: Array.from(w), n }));
  for (let k = 0; k < numMerges; k++) {
    const pairs = new Map<string, number>();
    for (const { parts, n } of split) for (let i = 0; i + 1 < parts.length; i++) {
      const key = `${parts[i]} ${parts[i + 1]}`;
      pairs.set(key, (pairs.get(key) ?? 0) + n);
    }
    const best = [...pairs].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (!best || best[1] < 2) break;
    const [l, r] = best[0].split(" ") as [string, string];
    merges.push([l, r]);
    vocab.push(l + r);
    split = split.map(({ parts, n }) => {
      const out: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (parts[i] === l && parts[i + 1] === r) {
          out.push(l + r);
          i++;
        } else out.push(parts[i] as string);
      }
      return { parts: out, n };
    });
  }
  const specials = ["<s>", "</s>", "<pad>", "<image>", ...Array.from({ length: reserved }, (_, i) => `<unused_${i}>`)];
  const added = specials.map((content, i) => ({ id: vocab.length + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  return {
    json: {
      version: "1.0",
      truncation: null,
      padding: null,
      added_tokens: added,
      normalizer: null,
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
      decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])), merges },
    },
    config: { bos_token: "<s>", eos_token: "</s>", pad_token: "<pad>", unk_token: null, model_max_length: 2048, tokenizer_class: "PreTrainedTokenizerFast" },
  };
}

/**
 * A SentencePiece-style Unigram tokenizer.json: every character of the corpus as a piece, plus each word with
 * its "▁" prefix scored by log frequency, a Metaspace pre-tokenizer (prepend "▁") and decoder.
 */
export function buildUnigram(corpus: string[]): BpeFile {
  const counts = new Map<string, number>();
  const chars = new Set<string>(["▁"]);
  for (const text of corpus) {
    for (const c of text.replaceAll(" ", "")) chars.add(c);
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const piece = `▁${word}`;
      counts.set(piece, (counts.get(piece) ?? 0) + 1);
      for (const c of piece) chars.add(c);
    }
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const vocab: [string, number][] = [["<unk>", 0], ["<s>", 0], ["</s>", 0], ["<pad>", 0], ["<image>", 0]];
  for (const c of [...chars].sort()) vocab.push([c, -12]);
  for (const [w, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (!chars.has(w)) vocab.push([w, Math.log(n / total)]);
  const added = ["<unk>", "<s>", "</s>", "<pad>", "<image>"].map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  return {
    json: {
      version: "1.0",
      added_tokens: added,
      normalizer: null,
      pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
      post_processor: null,
      decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
      model: { type: "Unigram", unk_id: 0, vocab, byte_fallback: false },
    },
    config: { bos_token: "<s>", eos_token: "</s>", pad_token: "<pad>", unk_token: "<unk>" },
  };
}
