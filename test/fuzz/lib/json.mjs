// Mutations of JSON (and JSON Lines) files: blind byte mutations of the text, and structural ones on the parsed
// tree (wrong types, deleted or duplicated members, huge numbers, deep nesting, NaN/Infinity tokens, invalid
// UTF-8 inside strings, lone surrogates).
import fc from "fast-check";
import { applyByteMutation, byteMutation, concat } from "./bytes.mjs";

const REPLACEMENTS = [null, true, false, 0, -1, 1.5, -0.5, 1e308, -1e308, 2 ** 53 + 2, 1e21, "", "x", "-1", "1e9", "99999999999999999999", "NaN", "Infinity", "../../../../etc/passwd", "/etc/passwd", [], {}, [[]], { a: 1 }, [1, 2, 3]];
/** Number tokens as text: some invalid JSON, some valid but extreme (1e999 parses to Infinity). */
const NUMBER_TOKENS = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "-0", "0x10", "01", "1e-400", "4294967296", "18446744073709551616", "9007199254740993"];
/** Bytes that make a string invalid UTF-8: a stray continuation, a lone lead byte, an overlong NUL, a surrogate, 0xff. */
const BAD_UTF8 = [[0x80], [0xc3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xff], [0xf4, 0x90, 0x80, 0x80]];
const PLACEHOLDER = "\u0000FUZZ\u0000";

export function jsonMutation(textLength) {
  const pick = fc.nat({ max: 1_000_000 });
  return fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant("bytes"), m: byteMutation(textLength) }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant("replace"), pick, value: fc.constantFrom(...REPLACEMENTS), long: fc.constantFrom(0, 0, 0, 100_000) }), weight: 4 },
    { arbitrary: fc.record({ kind: fc.constant("delete"), pick }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("duplicate"), pick }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("add-key"), pick }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("swap"), pick, other: pick }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant("nest"), pick, depth: fc.constantFrom(1, 2, 64, 10_000, 200_000), brace: fc.boolean() }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("number-token"), pick, token: fc.constantFrom(...NUMBER_TOKENS) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("bad-utf8"), pick, bytes: fc.constantFrom(...BAD_UTF8) }), weight: 2 },
    { arbitrary: fc.record({ kind: fc.constant("lone-surrogate"), pick }), weight: 1 },
  );
}

/** Every node of a JSON tree with its path (keys and indices from the root), depth first. */
function nodes(value, path = [], out = []) {
  out.push({ path, value });
  if (Array.isArray(value)) value.forEach((v, i) => nodes(v, [...path, i], out));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) nodes(v, [...path, k], out);
  return out;
}

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

function parentOf(root, path) {
  let node = root;
  for (const key of path.slice(0, -1)) node = node[key];
  return node;
}

function setAt(root, path, value) {
  if (path.length === 0) return value;
  parentOf(root, path)[path[path.length - 1]] = value;
  return root;
}

/**
 * The mutated text of a JSON document whose parsed value is `value` and original text `text` (bytes). With
 * `lines`, the document is JSON Lines: `value` is the list of parsed lines and the result is one line each.
 */
export function applyJsonMutation(text, value, m, { lines = false } = {}) {
  if (m.kind === "bytes") return applyByteMutation(text, m.m);
  const all = nodes(value);
  const target = all[m.pick % all.length];
  const pathOf = (n) => n.path;
  let root = clone(value);
  const path = pathOf(target);
  let splice = null; // [placeholder, raw bytes] to put into the serialized text
  switch (m.kind) {
    case "replace":
      root = setAt(root, path, m.long ? (typeof m.value === "string" ? m.value.repeat(Math.ceil(m.long / Math.max(1, m.value.length))) : new Array(m.long).fill(m.value)) : clone(m.value));
      break;
    case "delete": {
      if (path.length === 0) root = lines ? [] : null;
      else {
        const parent = parentOf(root, path);
        const key = path[path.length - 1];
        if (Array.isArray(parent)) parent.splice(key, 1);
        else delete parent[key];
      }
      break;
    }
    case "duplicate": {
      if (path.length === 0) break;
      const parent = parentOf(root, path);
      const key = path[path.length - 1];
      if (Array.isArray(parent)) parent.splice(key, 0, clone(parent[key]));
      else parent[`${key}`] = clone(parent[key]); // objects: a duplicate key cannot survive parsing; keep as is
      break;
    }
    case "add-key": {
      const node = path.reduce((n, k) => n[k], root);
      if (node !== null && typeof node === "object" && !Array.isArray(node)) node.fuzz_unknown_key = { nested: [1, "two"] };
      else if (Array.isArray(node)) node.push({ fuzz: true });
      break;
    }
    case "swap": {
      if (path.length === 0) break;
      const parent = parentOf(root, path);
      if (Array.isArray(parent) && parent.length > 1) {
        const i = path[path.length - 1];
        const j = m.other % parent.length;
        [parent[i], parent[j]] = [parent[j], parent[i]];
      } else if (parent && typeof parent === "object" && !Array.isArray(parent)) {
        const entries = Object.entries(parent).reverse();
        for (const k of Object.keys(parent)) delete parent[k];
        for (const [k, v] of entries) parent[k] = v;
      }
      break;
    }
    case "nest": {
      const inner = JSON.stringify(path.reduce((n, k) => n[k], root));
      const open = m.brace ? '{"k":'.repeat(m.depth) : "[".repeat(m.depth);
      const close = m.brace ? "}".repeat(m.depth) : "]".repeat(m.depth);
      root = setAt(root, path, PLACEHOLDER);
      splice = Buffer.from(open + inner + close);
      break;
    }
    case "number-token":
      root = setAt(root, path, PLACEHOLDER);
      splice = Buffer.from(m.token);
      break;
    case "bad-utf8": {
      const node = path.reduce((n, k) => n[k], root);
      const s = typeof node === "string" ? node : "text";
      root = setAt(root, path, `${s.slice(0, 1)}${PLACEHOLDER}${s.slice(1)}`);
      splice = Uint8Array.from(m.bytes);
      break;
    }
    case "lone-surrogate": {
      const node = path.reduce((n, k) => n[k], root);
      root = setAt(root, path, `${typeof node === "string" ? node : ""}\ud800`);
      break;
    }
    default:
      throw new Error(`unknown JSON mutation ${JSON.stringify(m)}`);
  }
  const serialized = lines ? (Array.isArray(root) ? root.map((l) => JSON.stringify(l)).join("\n") + "\n" : `${JSON.stringify(root)}\n`) : JSON.stringify(root, null, 1);
  const bytes = Buffer.from(serialized);
  if (splice === null) return new Uint8Array(bytes);
  // The placeholder is serialized as "\u0000FUZZ\u0000" (a whole string value or inside one).
  const escaped = Buffer.from(JSON.stringify(PLACEHOLDER).slice(1, -1));
  const at = bytes.indexOf(escaped);
  if (at < 0) return new Uint8Array(bytes);
  const whole = bytes[at - 1] === 0x22 && bytes[at + escaped.length] === 0x22 && (m.kind === "nest" || m.kind === "number-token");
  const start = whole ? at - 1 : at;
  const end = whole ? at + escaped.length + 1 : at + escaped.length;
  return concat(bytes.subarray(0, start), splice, bytes.subarray(end));
}

/** Strict UTF-8 decoding: null when the bytes are not valid UTF-8 (what an independent oracle must see). */
export function strictUtf8(bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** JSON.parse of strictly decoded bytes, or undefined when either fails. A UTF-8 BOM is allowed, as JSON readers do. */
export function parseStrict(bytes) {
  const text = strictUtf8(bytes);
  if (text === null) return undefined;
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return undefined;
  }
}

/** True when a string holds a lone surrogate (valid JSON, but not encodable as UTF-8 without loss). */
export function hasLoneSurrogate(value) {
  if (typeof value === "string") return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value !== null && typeof value === "object") return Object.entries(value).some(([k, v]) => hasLoneSurrogate(k) || hasLoneSurrogate(v));
  return false;
}
