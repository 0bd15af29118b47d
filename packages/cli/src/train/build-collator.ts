import { ActionTokenizer, createByteTokenizer, createCollatorPool, loadTokenizer } from "@cotrain/collator";
import type { ActionsOption, CollatorPool, CollatorPoolOptions, TextTokenizer } from "@cotrain/collator";
import { resolveFrom } from "../config/load-config.js";
import type { CollatorConfig } from "../config/schema.js";

/**
 * The collator a config describes, as a pool of worker threads (`workers`, default the machine's cores) that
 * collates batches ahead of the trainer; `tokenizer` is "byte" or a tokenizer.json path relative to the config
 * file. The caller closes it. `override` (the command line's --workers) wins over the config.
 */
export async function buildCollator(config: CollatorConfig, dir: string, sourceNames: readonly string[], override: { workers?: number } = {}): Promise<CollatorPool> {
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
  const options = { ...rest, tokenizer, sourceNames, ...(actions ? { actions } : {}), ...override } as CollatorPoolOptions;
  return createCollatorPool(options);
}
