// LLaVA instruct JSON: mutations of the JSON file (blind byte changes and structural ones, see lib/json.mjs) and,
// less often, of an image file it names. Oracle: the mutated file is decoded as strict UTF-8 and parsed with
// JSON.parse (independently of the reader's streaming parser); if either fails, the reader must raise. Otherwise
// the expected rows are computed from the parsed array by the documented mapping (id string or finite number;
// `conversations` of from/value or role/content turns with human/gpt/user/assistant/system; `image` absent, a
// path or a list of paths under the image root, read from disk). Under "raise" the reader may raise (it checks
// more, e.g. image headers) or must yield exactly those rows; under "skip" it must yield a subsequence of them, in
// order, and count at least as many skips as entries it left out. Malformed JSON must raise in both modes (the
// reader documents it as never skippable).
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import fc from "fast-check";
import { openLlava, writeLlava } from "@cotrain/vqa";
import { applyByteMutation, byteMutation } from "../lib/bytes.mjs";
import { vqaEntries } from "../lib/fixtures.mjs";
import { applyJsonMutation, jsonMutation, parseStrict } from "../lib/json.mjs";
import { drain, sha } from "../lib/rows.mjs";
import { SKIPPED } from "../lib/verdict.mjs";

const ROLES = { human: "user", user: "user", gpt: "assistant", assistant: "assistant", system: "system" };

export default {
  name: "llava",
  reads: "LLaVA JSON (and the image files it names) through openLlava",
  async setup(dir) {
    const entries = await vqaEntries(6);
    const imageRoot = join(dir, "images");
    await writeLlava(join(dir, "llava.json"), entries, { imageRoot });
    const files = { "llava.json": new Uint8Array(readFileSync(join(dir, "llava.json"))) };
    for (const e of entries) for (const img of e.images) files[`images/${img.path}`] = new Uint8Array(readFileSync(join(imageRoot, img.path)));
    return { dir, imageRoot, files, parsed: JSON.parse(Buffer.from(files["llava.json"]).toString()), images: Object.keys(files).filter((f) => f.startsWith("images/")) };
  },
  arbitrary(ctx) {
    const onError = fc.constantFrom("raise", "skip");
    return fc.oneof(
      { arbitrary: fc.record({ onError, m: jsonMutation(ctx.files["llava.json"].length) }).map((d) => ({ op: "json", ...d })), weight: 9 },
      { arbitrary: fc.record({ onError, image: fc.constantFrom(...ctx.images) }).chain((d) => byteMutation(ctx.files[d.image].length).map((m) => ({ op: "image", ...d, m }))), weight: 1 },
    );
  },
  mutate(ctx, d) {
    if (d.op === "image") return { [d.image]: applyByteMutation(ctx.files[d.image], d.m) };
    return { "llava.json": applyJsonMutation(ctx.files["llava.json"], ctx.parsed, d.m) };
  },
  async read(ctx, d) {
    const source = openLlava(join(ctx.dir, "llava.json"), { imageRoot: ctx.imageRoot, batchSize: 2, onError: d?.onError ?? "raise" });
    const rows = await drain(source);
    return { rows, skipped: source.skipped() };
  },
  variantKey: (d) => d.onError,
  judgeSame: true,
  // Malformed JSON is never skippable: a streaming parser cannot find the next entry after it.
  expectError: (_ctx, d, files) => d.op === "json" && parseStrict(files["llava.json"]) === undefined,
  judge(ctx, d, files, output) {
    const value = parseStrict(files["llava.json"] ?? ctx.files["llava.json"]);
    if (!Array.isArray(value)) return "the file is not a JSON array, yet rows came";
    const expected = value.map((entry) => expectedRow(entry, ctx.imageRoot));
    const good = expected.filter((row) => row !== null);
    if (d.onError === "raise") return JSON.stringify(output) === JSON.stringify({ rows: good, skipped: {} }) && good.length === expected.length ? null : `rows differ from the independent parse: got ${JSON.stringify(output).slice(0, 400)}, expected ${JSON.stringify(good).slice(0, 400)}`;
    let k = 0;
    for (const row of output.rows) {
      const s = JSON.stringify(row);
      while (k < expected.length && JSON.stringify(expected[k]) !== s) k++;
      if (k === expected.length) return `skip mode yielded a row the independent parse does not give: ${s.slice(0, 300)}`;
      k++;
    }
    const counted = Object.values(output.skipped).reduce((s, n) => s + n, 0);
    if (counted < expected.length - output.rows.length) return `left out ${expected.length - output.rows.length} entries but counted ${counted} skips`;
    return output.rows.length === expected.length && counted === 0 ? null : SKIPPED;
  },
};

/** The canonical row of one parsed entry, or null where the documented mapping says the entry is invalid. */
function expectedRow(entry, imageRoot) {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return null;
  const id = typeof entry.id === "string" && entry.id !== "" ? entry.id : typeof entry.id === "number" && Number.isFinite(entry.id) ? String(entry.id) : null;
  if (id === null) return null;
  const turns = entry.conversations;
  if (!Array.isArray(turns) || turns.length === 0) return null;
  const messages = [];
  for (const t of turns) {
    if (t === null || typeof t !== "object" || Array.isArray(t)) return null;
    const [who, what] = "from" in t || !("role" in t) ? ["from", "value"] : ["role", "content"];
    if (typeof t[who] !== "string" || !Object.hasOwn(ROLES, t[who]) || typeof t[what] !== "string") return null;
    if (!t[what].isWellFormed()) return null; // a lone surrogate is not text
    messages.push([ROLES[t[who]], t[what]]);
  }
  const paths = entry.image === undefined || entry.image === null ? [] : typeof entry.image === "string" ? [entry.image] : Array.isArray(entry.image) && entry.image.every((p) => typeof p === "string") ? entry.image : null;
  if (paths === null) return null;
  const images = [];
  for (const p of paths) {
    const full = resolve(imageRoot, p);
    const rel = relative(imageRoot, full);
    if (p === "" || p.includes("\0") || p.startsWith("/") || rel === "" || rel.startsWith(`..${sep}`) || rel === ".." || !existsSync(full) || !statSync(full).isFile()) return null;
    images.push(sha(readFileSync(full)));
  }
  if (!id.isWellFormed()) return null;
  return { source: "llava", kind: "vqa", sample_id: id, images, cameras: images.map(() => "image"), messages, action: null, action_is_pad: null, state: null, episode_index: null, step_index: null, is_first: null, is_last: null };
}
