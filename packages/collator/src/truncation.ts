import { ConfigError } from "@cotrain/core";
import type { ErrorLocation, SampleKind } from "@cotrain/core";
import { ROLE } from "./masking.js";
import type { RowTokens } from "./masking.js";

/**
 * Shortens a row to `maxLength` tokens in place and returns how many tokens were removed.
 *
 * - Robot rows are cut on the prompt side first: the instruction (user text) loses tokens from its end, then the
 *   system text, then (with action tokens) the answer text before the actions. Action tokens, the EOS after them,
 *   BOS, image placeholders and the template's fixed text are never cut; when those alone exceed `maxLength` the
 *   configuration cannot work and a ConfigError says so. Robot rows without action tokens fall back to the web
 *   rule once the prompt side is exhausted.
 * - Web rows keep their first `maxLength` tokens (later turns go first, as in LLaVA's training), backing off to
 *   the start of an image placeholder run rather than splitting it. The caller counts rows left with no trained
 *   token.
 */
export function truncateRow(row: RowTokens, maxLength: number, kind: SampleKind, where: ErrorLocation): number {
  const before = row.ids.length;
  if (before <= maxLength) return 0;
  if (kind === "robot") {
    const firstAction = row.roles.indexOf(ROLE.action);
    const end = firstAction < 0 ? row.ids.length : firstAction;
    const drop = new Uint8Array(row.ids.length);
    let excess = before - maxLength;
    for (const role of [ROLE.user, ROLE.system, ...(firstAction >= 0 ? [ROLE.assistant] : [])]) {
      for (let i = end - 1; i >= 0 && excess > 0; i--) {
        if (row.roles[i] === role && !drop[i]) {
          drop[i] = 1;
          excess--;
        }
      }
    }
    if (excess > 0 && firstAction >= 0) {
      throw new ConfigError("MAX_LENGTH_TOO_SMALL", `maxLength ${maxLength} cannot hold this robot row's fixed prompt, image placeholders and ${countRole(row, ROLE.action)} action tokens (${maxLength + excess} tokens remain after removing all instruction and answer text)`, where);
    }
    keep(row, (i) => !drop[i]);
    if (excess === 0) return before - row.ids.length;
  }
  let cut = maxLength;
  // A placeholder run straddling the cut goes whole.
  if (row.roles[cut - 1] === ROLE.image && row.roles[cut] === ROLE.image) while (cut > 0 && row.roles[cut - 1] === ROLE.image) cut--;
  row.ids.length = cut;
  row.labels.length = cut;
  row.roles.length = cut;
  return before - cut;
}

function keep(row: RowTokens, pred: (i: number) => boolean): void {
  let w = 0;
  for (let i = 0; i < row.ids.length; i++) {
    if (!pred(i)) continue;
    row.ids[w] = row.ids[i] as number;
    row.labels[w] = row.labels[i] as number;
    row.roles[w] = row.roles[i] as number;
    w++;
  }
  row.ids.length = w;
  row.labels.length = w;
  row.roles.length = w;
}

function countRole(row: RowTokens, role: number): number {
  let n = 0;
  for (const r of row.roles) if (r === role) n++;
  return n;
}
