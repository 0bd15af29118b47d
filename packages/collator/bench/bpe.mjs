// A small byte-level BPE trainer for the benchmark (the tests have the TypeScript twin): learns merges from a
// corpus and returns tokenizer.json / tokenizer_config.json objects in the Hugging Face format.
function bytesToUnicode() {
  const printable = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(printable.includes(b) ? b : 256 + extra++);
  return table;
}

const PRE_TOKEN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export function trainBpe(corpus, numMerges, reserved = 256) {
  const table = bytesToUnicode();
  const encoder = new TextEncoder();
  const words = new Map();
  for (const text of corpus) for (const m of text.match(PRE_TOKEN) ?? []) {
    const w = Array.from(encoder.encode(m), (b) => table[b]).join("");
    words.set(w, (words.get(w) ?? 0) + 1);
  }
  const vocab = [...table];
  const merges = [];
  let split = [...words].map(([w, n]) => ({ parts: Array.from(w), n }));
  for (let k = 0; k < numMerges; k++) {
    const pairs = new Map();
    for (const { parts, n } of split) for (let i = 0; i + 1 < parts.length; i++) {
      const key = `${parts[i]} ${parts[i + 1]}`;
      pairs.set(key, (pairs.get(key) ?? 0) + n);
    }
    let best = null;
    for (const e of pairs) if (!best || e[1] > best[1] || (e[1] === best[1] && e[0] < best[0])) best = e;
    if (!best || best[1] < 2) break;
    const [l, r] = best[0].split(" ");
    merges.push([l, r]);
    vocab.push(l + r);
    split = split.map(({ parts, n }) => {
      const out = [];
      for (let i = 0; i < parts.length; i++) {
        if (parts[i] === l && parts[i + 1] === r) { out.push(l + r); i++; } else out.push(parts[i]);
      }
      return { parts: out, n };
    });
  }
  const specials = ["<s>", "</s>", "<pad>", "<image>", ...Array.from({ length: reserved }, (_, i) => `<unused_${i}>`)];
  return {
    json: {
      version: "1.0",
      added_tokens: specials.map((content, i) => ({ id: vocab.length + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: null,
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
      post_processor: null,
      decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: { type: "BPE", unk_token: null, fuse_unk: false, byte_fallback: false, vocab: Object.fromEntries(vocab.map((t, i) => [t, i])), merges },
    },
    config: { bos_token: "<s>", eos_token: "</s>", pad_token: "<pad>" },
  };
}
