import { ConfigError } from "@cotrain/core";
import { chatTemplate } from "./chat-template.js";
import type { ChatTemplateSpec } from "./chat-template.js";
import { LLAVA_V1, OPENVLA, PLAIN } from "./builtins.js";
import type { PromptTemplate } from "./types.js";

const registry = new Map<string, PromptTemplate>([OPENVLA, LLAVA_V1, PLAIN].map((spec) => [spec.name, chatTemplate(spec)]));

/** Makes a template available by name (so a config file can say `"template": "my_chat"`). */
export function registerTemplate(template: PromptTemplate | ChatTemplateSpec, options: { replace?: boolean } = {}): PromptTemplate {
  const made = isPromptTemplate(template) ? template : chatTemplate(template);
  if (registry.has(made.name) && !options.replace) throw new ConfigError("TEMPLATE_EXISTS", `a template named ${JSON.stringify(made.name)} is already registered (pass {replace: true} to replace it)`);
  registry.set(made.name, made);
  return made;
}

export function getTemplate(name: string): PromptTemplate {
  const found = registry.get(name);
  if (!found) throw new ConfigError("TEMPLATE_UNKNOWN", `unknown template ${JSON.stringify(name)}; registered: ${templateNames().join(", ")}`);
  return found;
}

export function templateNames(): string[] {
  return [...registry.keys()].sort();
}

/** A template given as a registered name, a spec, or a ready template object. */
export function resolveTemplate(template: string | PromptTemplate | ChatTemplateSpec): PromptTemplate {
  if (typeof template === "string") return getTemplate(template);
  return isPromptTemplate(template) ? template : chatTemplate(template);
}

function isPromptTemplate(value: PromptTemplate | ChatTemplateSpec): value is PromptTemplate {
  return typeof (value as PromptTemplate).render === "function";
}
