import { FormatError } from "../errors.js";
import type { ErrorLocation } from "../errors.js";

export interface ParseJsonOptions {
  /** Deepest nesting accepted (default 64): metadata is a few levels deep, and deeper values break recursive code. */
  maxDepth?: number;
  /** Byte offset of `bytes` in the file, when they are a part of it (a JSON Lines line). */
  offset?: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * JSON from a file's bytes, strictly: the bytes must be UTF-8 (a lenient decode would turn bad bytes into U+FFFD,
 * silently changing a task string or a file name), must parse, and must nest at most `maxDepth` levels. Raises
 * FormatError with `code`, naming `where` and the byte offset of the fault (the first bad byte, or where the parser
 * stopped); for too deep a value, the field path to it. A UTF-8 byte order mark is skipped.
 */
export function parseJson(bytes: Uint8Array, where: ErrorLocation, code: string, options: ParseJsonOptions = {}): unknown {
  const base = options.offset ?? 0;
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let text: string;
  try {
    text = utf8.decode(bom ? bytes.subarray(bom) : bytes);
  } catch (cause) {
    const at = bom + firstInvalidUtf8(bytes.subarray(bom));
    throw new FormatError(code, `not valid UTF-8 (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, "0")} at offset ${base + at})`, { ...where, offset: base + at, cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const message = (cause as Error).message;
    // V8 names the position for most faults but not for an unexpected token: then find it by scanning.
    const position = /at position (\d+)/.exec(message);
    const at = Buffer.byteLength(text.slice(0, position ? Number(position[1]) : syntaxErrorAt(text)));
    throw new FormatError(code, `invalid JSON: ${message}`, { ...where, offset: base + bom + at, cause });
  }
  const tooDeep = deeperThan(value, options.maxDepth ?? 64);
  if (tooDeep !== null) throw new FormatError(code, `JSON nested deeper than ${options.maxDepth ?? 64} levels`, { ...where, field: tooDeep });
  return value;
}

/**
 * The offset where the first invalid UTF-8 sequence starts: a prefix decodes (as a stream, so a sequence cut at its
 * end is pending, not wrong) up to the first byte that breaks it; the sequence started at the pending lead byte.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const breaking = firstBreakingByte(bytes);
  for (let k = breaking - 1; k >= Math.max(0, breaking - 3); k--) {
    const b = bytes[k] as number;
    if (b < 0x80) break;
    if (b >= 0xc0) return breaking - k < (b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2) ? k : breaking;
  }
  return breaking;
}

function firstBreakingByte(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length;
  // Decoding a prefix as a stream accepts a sequence cut at its end, so validity is monotonic in the prefix length.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, mid + 1), { stream: true });
      lo = mid + 1;
    } catch {
      hi = mid;
    }
  }
  return lo;
}

/** The path (a.b[3].c, cut short) of a value nested deeper than `max`, or null; iterative, so any depth is safe. */
function deeperThan(root: unknown, max: number): string | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: root, depth: 0, path: "" }];
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth >= max) return path.length > 200 ? `${path.slice(0, 200)}…` : path || "(root)";
    const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value).map(([k, v]) => [path ? `.${k}` : k, v]);
    for (const [key, child] of entries) if (child !== null && typeof child === "object") stack.push({ value: child, depth: depth + 1, path: path.length > 200 ? path : path + key });
  }
  return null;
}

/**
 * The index of JSON.parse's complaint in `text` (which it rejected), by scanning the JSON grammar: containers on a
 * stack, then strings, numbers and literals. Only called for the faults V8 does not place.
 */
function syntaxErrorAt(text: string): number {
  const stack: string[] = [];
  let i = 0;
  let state: "value" | "first-value" | "key" | "first-key" | "colon" | "next" | "end" = "value";
  const after = (): typeof state => (stack.length === 0 ? "end" : "next");
  for (;;) {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
    if (i >= text.length) return i;
    const c = text[i] as string;
    if (state === "end") return i;
    if (state === "colon") {
      if (c !== ":") return i;
      i++;
      state = "value";
    } else if (state === "next") {
      const top = stack[stack.length - 1];
      if (c === ",") {
        i++;
        state = top === "{" ? "key" : "value";
      } else if ((c === "}" && top === "{") || (c === "]" && top === "[")) {
        stack.pop();
        i++;
        state = after();
      } else return i;
    } else if (state === "key" || state === "first-key") {
      if (state === "first-key" && c === "}") {
        stack.pop();
        i++;
        state = after();
        continue;
      }
      const end = c === '"' ? stringEnd(text, i) : -1 - i;
      if (end < 0) return -1 - end;
      i = end;
      state = "colon";
    } else {
      if (state === "first-value" && c === "]") {
        stack.pop();
        i++;
        state = after();
      } else if (c === "{" || c === "[") {
        stack.push(c);
        i++;
        state = c === "{" ? "first-key" : "first-value";
      } else {
        const end = c === '"' ? stringEnd(text, i) : scalarEnd(text, i);
        if (end < 0) return -1 - end;
        i = end;
        state = after();
      }
    }
  }
}

/** The index after the string literal starting at `i`, or -1 - (index of its fault). */
function stringEnd(text: string, i: number): number {
  for (let k = i + 1; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x22) return k + 1;
    if (c < 0x20) return -1 - k;
    if (c === 0x5c) {
      const e = text[k + 1];
      if (e === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(k + 2, k + 6))) return -1 - k;
        k += 5;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) k++;
      else return -1 - k;
    }
  }
  return -1 - text.length;
}

const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/** The index after the number or literal starting at `i`, or -1 - i. */
function scalarEnd(text: string, i: number): number {
  SCALAR.lastIndex = i;
  return SCALAR.test(text) ? SCALAR.lastIndex : -1 - i;
}
