import { ConfigError } from "@cotrain/core";
import { ActionTokenizer } from "../actions/action-tokenizer.js";
import type { ActionTokenizerJson } from "../actions/action-tokenizer.js";
import type { ActionsOption } from "../actions/layout.js";
import type { CollatorOptions } from "../options.js";
import type { ChatTemplateSpec } from "../templates/chat-template.js";
import { resolveTemplate } from "../templates/registry.js";
import { createByteTokenizer } from "../tokenizer/byte-tokenizer.js";
import { tokenizerFromJson } from "../tokenizer/hf-tokenizer.js";
import type { TextTokenizer, TokenizerRecipe } from "../tokenizer/types.js";

/**
 * Collator options as plain data, so a worker thread can build the same collator: the tokenizer as its recipe,
 * the template as its spec (a name registered in this thread would be unknown there), action tokens as JSON.
 */
export interface PortableCollatorOptions extends Omit<CollatorOptions, "tokenizer" | "template" | "actions"> {
  tokenizer: TokenizerRecipe;
  template: ChatTemplateSpec;
  actions?: { type: "none" } | { type: "continuous"; dim: number; horizon?: number } | { type: "tokens"; tokenizer: ActionTokenizerJson; horizon?: number };
}

export function toPortable(options: CollatorOptions): PortableCollatorOptions {
  const { tokenizer, template, actions, ...rest } = options;
  const recipe = tokenizer === "byte" ? createByteTokenizer().recipe : tokenizer.recipe;
  if (recipe === undefined) throw new ConfigError("COLLATOR_POOL_TOKENIZER", `the tokenizer ${tokenizer === "byte" ? "byte" : tokenizer.name} has no recipe, so worker threads cannot build it: use "byte", loadTokenizer or tokenizerFromJson, or \`workers: 0\``, { field: "tokenizer" });
  const spec = resolveTemplate(template ?? "openvla").spec;
  if (spec === undefined) throw new ConfigError("COLLATOR_POOL_TEMPLATE", "a template object without a spec cannot be built in a worker thread: give a template name or a ChatTemplateSpec, or use `workers: 0`", { field: "template" });
  return { ...rest, tokenizer: recipe, template: spec, ...(actions === undefined ? {} : { actions: portableActions(actions) }) };
}

export function fromPortable(options: PortableCollatorOptions): CollatorOptions {
  const { tokenizer, actions, ...rest } = options;
  const made: ActionsOption | undefined = actions === undefined ? undefined : actions.type === "tokens" ? { type: "tokens", tokenizer: ActionTokenizer.fromJSON(actions.tokenizer), ...(actions.horizon === undefined ? {} : { horizon: actions.horizon }) } : actions;
  return { ...rest, tokenizer: tokenizerFromRecipe(tokenizer), ...(made === undefined ? {} : { actions: made }) };
}

export function tokenizerFromRecipe(recipe: TokenizerRecipe): TextTokenizer {
  if (recipe.kind === "byte") return createByteTokenizer(recipe.options);
  if (recipe.kind === "hf") return tokenizerFromJson(recipe.tokenizerJson, recipe.tokenizerConfig, recipe.options);
  throw new ConfigError("TOKENIZER_RECIPE", `unknown tokenizer recipe ${JSON.stringify((recipe as { kind: unknown }).kind)}`);
}

function portableActions(actions: ActionsOption): NonNullable<PortableCollatorOptions["actions"]> {
  if (actions.type !== "tokens") return actions;
  if (!(actions.tokenizer instanceof ActionTokenizer)) throw new ConfigError("ACTIONS_TOKENIZER", "`actions.tokenizer` must be an ActionTokenizer (ActionTokenizer.uniform / .quantile)");
  return { type: "tokens", tokenizer: actions.tokenizer.toJSON(), ...(actions.horizon === undefined ? {} : { horizon: actions.horizon }) };
}
