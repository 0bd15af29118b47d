import type { z } from "zod";

/** A zod issue reduced to what a person needs: the key path it is about and a message. */
export interface ConfigProblem {
  key: string;
  message: string;
}

type Issue = z.core.$ZodIssue;

/**
 * Points an issue at the offending key itself: an unknown key is reported at its own path (`mixture.wieghts`, not
 * `mixture`), and a failed union at the branch that got furthest (the one whose inner issue has the longest path),
 * so `stop: {samples: "x"}` says `stop.samples: expected number`.
 */
export function issueTarget(issue: Issue, prefix: readonly PropertyKey[] = []): { path: PropertyKey[]; message: string } {
  const path = [...prefix, ...issue.path];
  if (issue.code === "unrecognized_keys") {
    const [first, ...rest] = issue.keys;
    return { path: [...path, first ?? ""], message: `unknown key ${JSON.stringify(first)}${rest.length ? ` (also ${rest.map((k) => JSON.stringify(k)).join(", ")})` : ""}` };
  }
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const deepest = issue.errors
      .flat()
      .filter((i) => i.path.length > 0)
      .sort((a, b) => b.path.length - a.path.length)[0];
    if (deepest) return issueTarget(deepest, path);
    const options = issue.errors.flat().map((i) => i.message.replace(/^Invalid input: /, ""));
    return { path, message: `invalid value; ${[...new Set(options)].join(", or ")}` };
  }
  return { path, message: issue.message.replace(/^Invalid input: /, "") };
}

export function describeIssue(issue: Issue, prefix: readonly PropertyKey[] = []): ConfigProblem {
  const { path, message } = issueTarget(issue, prefix);
  return { key: joinPath(path), message };
}

/** `sources.bridge.options.batchSize`, `schedule[1].weights` */
export function joinPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : `${out === "" ? "" : "."}${String(part)}`;
  return out || "(root)";
}
