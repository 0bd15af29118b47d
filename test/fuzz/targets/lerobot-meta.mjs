// LeRobot metadata (codebase v2.1): mutations of meta/info.json, meta/episodes.jsonl or meta/tasks.jsonl (blind
// byte changes and structural ones). Oracle: each file is decoded as strict UTF-8 and parsed with JSON.parse (line
// by line for JSON Lines); if one fails, the reader must raise. Otherwise the expected rows are computed from the
// parsed metadata and the original rows: the cameras are info.json's image/video features in its order (each must
// be one the Parquet files hold), `state` is present only while observation.state is declared, each step's
// instruction is the mutated tasks.jsonl's task for the step's task_index, and the episodes listed in
// episodes.jsonl must be exactly the written ones with their lengths, as many as info.json's total_episodes.
// Anything else must raise. A changed data_path or chunks_size may raise or name the same files (same rows).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { openLeRobot, writeLeRobot } from "@cotrain/robot";
import { bridgeEpisodes } from "../lib/fixtures.mjs";
import { applyJsonMutation, jsonMutation, parseStrict, strictUtf8 } from "../lib/json.mjs";
import { drain } from "../lib/rows.mjs";
import { SKIPPED } from "../lib/verdict.mjs";
import { episodesOf } from "./rlds-fixture.mjs";

const META = ["meta/info.json", "meta/episodes.jsonl", "meta/tasks.jsonl"];
const LINES = (file) => file.endsWith(".jsonl");

/** JSON Lines as the reader splits them (blank lines skipped), each line parsed strictly; undefined if any fails. */
function parseLines(bytes) {
  const text = strictUtf8(bytes);
  if (text === null) return undefined;
  const out = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const value = parseStrict(Buffer.from(line));
    if (value === undefined) return undefined;
    out.push(value);
  }
  return out;
}

const parse = (file, bytes) => (LINES(file) ? parseLines(bytes) : parseStrict(bytes));

export default {
  name: "lerobot-meta",
  reads: "LeRobot meta/info.json, episodes.jsonl and tasks.jsonl through openLeRobot",
  async setup(dir) {
    const episodes = await bridgeEpisodes([3, 2, 4]);
    episodes[2].instructions = ["open the drawer", "open the drawer", "close it", "close it"];
    await writeLeRobot(dir, episodes, { fps: 10 });
    const files = Object.fromEntries(META.map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
    const parsed = Object.fromEntries(META.map((f) => [f, parse(f, files[f])]));
    return { dir, files, parsed };
  },
  arbitrary(ctx) {
    const onError = fc.constantFrom("raise", "skip");
    return fc.record({ file: fc.constantFrom(...META), onError }).chain((d) => jsonMutation(ctx.files[d.file].length).map((m) => ({ ...d, m })));
  },
  mutate(ctx, d) {
    return { [d.file]: applyJsonMutation(ctx.files[d.file], ctx.parsed[d.file], d.m, { lines: LINES(d.file) }) };
  },
  async read(ctx, d) {
    const source = await openLeRobot(ctx.dir, { batchSize: 3, onError: d?.onError ?? "raise" });
    const rows = await drain(source);
    return { rows, skipped: source.skipped() };
  },
  variantKey: (d) => d.onError,
  judgeSame: true,
  expectError: (_ctx, d, files) => parse(d.file, files[d.file]) === undefined,
  judge(ctx, d, files, output, baseline) {
    const meta = Object.fromEntries(META.map((f) => [f, f === d.file ? parse(f, files[f]) : ctx.parsed[f]]));
    const expected = expectedRows(ctx, meta, baseline.rows, d.onError === "skip");
    if (typeof expected === "string") {
      // Under "skip", metadata that fails every episode alone (a shape, a camera or a file the data does not have)
      // leaves every listed episode out, each counted.
      const listed = Array.isArray(meta["meta/episodes.jsonl"]) ? meta["meta/episodes.jsonl"].length : 0;
      if (d.onError === "skip" && output.rows.length === 0 && Object.values(output.skipped).reduce((s, n) => s + n, 0) >= Math.max(1, listed)) return SKIPPED;
      // A changed data path or chunk size may still name the written files.
      const info = meta["meta/info.json"];
      const original = ctx.parsed["meta/info.json"];
      if (d.file === "meta/info.json" && info && (info.data_path !== original.data_path || info.chunks_size !== original.chunks_size) && JSON.stringify(output) === JSON.stringify(baseline)) return null;
      return `the reader yielded rows where the metadata must fail (${expected})`;
    }
    if (d.onError === "raise") return JSON.stringify(output) === JSON.stringify({ rows: expected, skipped: {} }) ? null : `rows differ from the model: got ${JSON.stringify(output).slice(0, 300)}, expected ${JSON.stringify(expected).slice(0, 300)}`;
    const want = new Set(episodesOf(expected).map((e) => JSON.stringify(e)));
    const got = episodesOf(output.rows).map((e) => JSON.stringify(e));
    if (got.some((e) => !want.has(e))) return "skip mode yielded an episode the model does not give";
    const counted = Object.values(output.skipped).reduce((s, n) => s + n, 0);
    const listed = (meta["meta/episodes.jsonl"] ?? []).length;
    if (counted < listed - got.length) return `left out ${listed - got.length} listed episodes but counted ${counted}`;
    return counted === 0 ? null : SKIPPED;
  },
};

/** The rows the parsed metadata means, from the original rows; a string when the metadata must make the reader fail. */
function expectedRows(ctx, meta, rows, skip) {
  const info = meta["meta/info.json"];
  if (info === null || typeof info !== "object" || Array.isArray(info)) return "info.json is not an object";
  if (typeof info.codebase_version !== "string" || !/^v2\./.test(info.codebase_version)) return "codebase_version is not v2.x";
  const original = ctx.parsed["meta/info.json"];
  if (info.data_path !== original.data_path) return "data_path changed";
  if (info.chunks_size !== original.chunks_size && !(typeof info.chunks_size === "number" && info.chunks_size >= 3)) return "chunks_size changed the chunk folders";
  if (!(typeof info.fps === "number" && info.fps > 0)) return "fps is not a positive number";
  if (info.video_path !== undefined && info.video_path !== null && typeof info.video_path !== "string") return "video_path is not a template";
  const features = info.features;
  if (features === null || typeof features !== "object" || Array.isArray(features)) return "features is not an object";
  const specs = Object.entries(features);
  for (const [, f] of specs) {
    if (f === null || typeof f !== "object" || typeof f.dtype !== "string") return "a feature without a dtype";
    const shape = f.shape ?? [1];
    if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0)) return "a shape that is not a list of counts";
  }
  const size = (key) => (features[key].shape ?? [1]).reduce((a, b) => a * b, 1);
  const numeric = (key) => /^(float|int|uint|bool)/.test(features[key].dtype);
  const cameras = specs.filter(([, f]) => f.dtype === "image" || f.dtype === "video").map(([k]) => k);
  const originalCameras = Object.entries(original.features).filter(([, f]) => f.dtype === "image").map(([k]) => k);
  if (cameras.some((k) => !originalCameras.includes(k))) return "a camera the Parquet files do not hold";
  if (!features.action || !numeric("action") || size("action") !== 7) return "action missing or reshaped";
  const hasState = "observation.state" in features;
  if (hasState && (!numeric("observation.state") || size("observation.state") !== 7)) return "observation.state reshaped or not numeric";
  if (cameras.length === 0 && originalCameras.length === 0) return "no cameras";
  const tasks = new Map();
  for (const line of meta["meta/tasks.jsonl"]) {
    if (line === null || typeof line !== "object" || Array.isArray(line) || typeof line.task !== "string") return "a task line without a task string";
    if (!line.task.isWellFormed()) return "a task that is not text (a lone surrogate)";
    const index = count(line.task_index);
    if (index === null) return "a task_index that is not a count";
    tasks.set(index, line.task);
  }
  const listed = [];
  for (const line of meta["meta/episodes.jsonl"]) {
    if (line === null || typeof line !== "object" || Array.isArray(line)) return "an episode line that is not an object";
    const index = count(line.episode_index);
    const length = count(line.length);
    if (index === null || length === null) return "an episode line without index or length";
    listed.push([index, length]);
  }
  listed.sort((a, b) => a[0] - b[0]);
  if (listed.some(([index], i) => i > 0 && index === listed[i - 1][0])) return "an episode listed twice";
  if (info.total_episodes !== undefined && info.total_episodes !== listed.length) return "total_episodes disagrees with episodes.jsonl";
  // A listed episode whose file or length does not match what was written fails alone (raised, or skipped and counted).
  const written = new Map(episodesOf(rows).map((e) => [e[0].episode_index, e.length]));
  const wrongly = listed.filter(([index, length]) => written.get(index) !== length);
  if (wrongly.length > 0 && !skip) return "episodes.jsonl lists an episode the files do not hold with that length";
  const keptEpisodes = new Set(listed.filter(([index, length]) => written.get(index) === length).map(([index]) => index));
  rows = rows.filter((row) => keptEpisodes.has(row.episode_index));
  const originalTasks = new Map(ctx.parsed["meta/tasks.jsonl"].map((t) => [t.task, t.task_index]));
  // An episode with a step whose task is unknown fails alone: raised under "raise", skipped and counted under "skip".
  const failing = new Set(rows.filter((row) => !tasks.has(originalTasks.get(row.messages[0][1]))).map((row) => row.episode_index));
  if (failing.size > 0 && !skip) return "a step's task_index is not in tasks.jsonl";
  const keep = cameras.map((k) => originalCameras.indexOf(k));
  return rows
    .filter((row) => !failing.has(row.episode_index))
    .map((row) => ({ ...row, images: keep.map((i) => row.images[i]), cameras: keep.map((i) => row.cameras[i]), messages: [["user", tasks.get(originalTasks.get(row.messages[0][1]))]], state: hasState ? row.state : null }));
}

/** A non-negative integer as the reader takes it (a number, or a numeric string), else null. */
function count(v) {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : typeof v === "number" ? v : NaN;
  return Number.isInteger(n) && n >= 0 ? n : null;
}
