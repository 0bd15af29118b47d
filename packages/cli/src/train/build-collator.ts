import { ActionTokenizer, createByteTokenizer, createCollator, loadTokenizer } from "@cotrain/collator";
import type { ActionsOption, Collator, CollatorOptions, TextTokenizer } from "@cotrain/collator";
import { resolveFrom } from "../config/load-config.js";
import type { CollatorConfig } from "../config/schema.js";

/** The collator a config describes; `tokenizer` is "byte" or a tokenizer.json path relative to the config file. */
export async function buildCollator(config: CollatorConfig, dir: string, sourceNames: readonly string[]): Promise<Collator> {
  const tokenizer: TextTokenizer = config.tokenizer === "byte" ? createByteTokenizer() : await loadTokenizer(resolveFrom(dir, config.tokenizer));
  const a = config.actions;
  let actions: ActionsOption | undefined;
  if (a?.type === "tokens") {
    const tok = ActionTokenizer.uniform({ vocabSize: tokenizer.vocabSize, dim: a.dim, ...(a.bins ? { bins: a.bins } : {}), ...(a.low !== undefined ? { low: a.low } : {}), ...(a.high !== undefined ? { high: a.high } : {}), ...(a.placement ? { placement: a.placement } : {}) });
    actions = { type: "tokens", tokenizer: tok, ...(a.horizon ? { horizon: a.horizon } : {}) };
  } else if (a) {
    actions = a;
  }
  const { tokenizer: _name, actions: _actions, ...rest } = config;
  const options = { ...rest, tokenizer, sourceNames, ...(actions ? { actions } : {}) } as CollatorOptions;
  return createCollator(options);
}
