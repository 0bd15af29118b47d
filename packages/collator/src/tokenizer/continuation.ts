/**
 * SentencePiece-style tokenizers mark the start of a text with a "▁" (Metaspace `prepend_scheme`, a `Prepend`
 * normalizer) and some byte-level ones with a space (`add_prefix_space`). That is right for the first segment of
 * a sequence and wrong for every later one, so the collator encodes later segments with a variant of the
 * tokenizer.json that has these prefixes turned off. Returns null when the file has none (the same tokenizer
 * serves both).
 */
type Json = Record<string, unknown>;

export function continuationVariant(tokenizerJson: Json): Json | null {
  const copy = structuredClone(tokenizerJson);
  let changed = false;
  const preTokenizer = copy.pre_tokenizer as Json | null | undefined;
  if (preTokenizer) changed = disablePrefixes(preTokenizer) || changed;
  const normalizer = copy.normalizer as Json | null | undefined;
  if (normalizer) {
    const stripped = withoutPrepend(normalizer);
    if (stripped !== normalizer) {
      copy.normalizer = stripped;
      changed = true;
    }
  }
  return changed ? copy : null;
}

function disablePrefixes(node: Json): boolean {
  let changed = false;
  if (node.type === "Metaspace" && node.prepend_scheme !== "never") {
    node.prepend_scheme = "never";
    node.add_prefix_space = false;
    changed = true;
  }
  if (node.type === "ByteLevel" && node.add_prefix_space === true) {
    node.add_prefix_space = false;
    changed = true;
  }
  for (const child of (node.pretokenizers as Json[] | undefined) ?? []) changed = disablePrefixes(child) || changed;
  return changed;
}

/** The normalizer without its Prepend steps (a new object when something was removed, else the same one). */
function withoutPrepend(node: Json): Json | null {
  if (node.type === "Prepend") return null;
  if (node.type === "Sequence" && Array.isArray(node.normalizers)) {
    const kept = (node.normalizers as Json[]).map(withoutPrepend);
    if (kept.every((k, i) => k === (node.normalizers as Json[])[i])) return node;
    return { ...node, normalizers: kept.filter((k): k is Json => k !== null) };
  }
  return node;
}
