// LeRobot episode Parquet files (codebase v2.1, written by writeLeRobot): blind byte mutations of one episode's
// file.
// Oracle: DuckDB reads the mutated file independently. Where DuckDB reads it, the episode's expected rows are
// computed from DuckDB's values (frame_index t in order, the meta's episode_index and length, 7 finite action and
// state values, image bytes per camera, the task of task_index); the reader must yield exactly them or raise
// (under "skip": leave the episode out and count it). Where DuckDB refuses the file, the reader must raise or
// yield the original rows (a fault in bytes it does not read).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { openLeRobot, writeLeRobot } from "@cotrain/robot";
import { applyByteMutation, byteMutation } from "../lib/bytes.mjs";
import { duckRows } from "../lib/duckdb.mjs";
import { bridgeEpisodes } from "../lib/fixtures.mjs";
import { drain, sha } from "../lib/rows.mjs";
import { SKIPPED } from "../lib/verdict.mjs";
import { episodesOf } from "./rlds-fixture.mjs";

const FILES = [0, 1, 2].map((i) => `data/chunk-000/episode_${String(i).padStart(6, "0")}.parquet`);

export default {
  name: "lerobot-parquet",
  reads: "LeRobot episode Parquet files through openLeRobot",
  async setup(dir) {
    await writeLeRobot(dir, await bridgeEpisodes([3, 2, 4]), { fps: 10 });
    const files = Object.fromEntries(FILES.map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
    const tasks = new Map(readFileSync(join(dir, "meta/tasks.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).map((t) => [t.task_index, t.task]));
    return { dir, files, tasks };
  },
  arbitrary(ctx) {
    return fc.record({ episode: fc.nat({ max: 2 }), onError: fc.constantFrom("raise", "skip") }).chain((d) => byteMutation(ctx.files[FILES[d.episode]].length).map((m) => ({ ...d, m })));
  },
  mutate(ctx, d) {
    return { [FILES[d.episode]]: applyByteMutation(ctx.files[FILES[d.episode]], d.m) };
  },
  async read(ctx, d) {
    const source = await openLeRobot(ctx.dir, { batchSize: 3, onError: d?.onError ?? "raise" });
    const rows = await drain(source);
    return { rows, skipped: source.skipped() };
  },
  variantKey: (d) => d.onError,
  judgeSame: true,
  expectError: () => false,
  async judge(ctx, d, _files, output, baseline) {
    const duck = await duckRows(join(ctx.dir, FILES[d.episode]));
    const original = baseline.rows.filter((row) => row.episode_index === d.episode);
    const expected = duck === null ? "DuckDB refuses the file" : episodeRows(duck, original, d.episode, ctx.tasks);
    if (typeof expected === "string") {
      if (JSON.stringify(output) === JSON.stringify(baseline)) return null;
      if (d.onError === "skip" && JSON.stringify(output.rows) === JSON.stringify(baseline.rows.filter((row) => row.episode_index !== d.episode)) && Object.values(output.skipped).reduce((s, n) => s + n, 0) >= 1) return SKIPPED;
      return `the reader yielded other rows where the episode must fail (${expected})`;
    }
    const want = baseline.rows.flatMap((row) => (row.episode_index === d.episode ? (row.step_index === 0 ? expected : []) : [row]));
    if (JSON.stringify(output) === JSON.stringify({ rows: want, skipped: {} })) return null;
    // Under "skip", an episode the reader refused (a typed error, as "raise" may end in) is left out and counted.
    if (d.onError === "skip" && JSON.stringify(output.rows) === JSON.stringify(baseline.rows.filter((row) => row.episode_index !== d.episode)) && Object.values(output.skipped).reduce((s, n) => s + n, 0) >= 1) return SKIPPED;
    return `rows differ from DuckDB's reading: got ${JSON.stringify(episodesOf(output.rows).find((e) => e[0].episode_index === d.episode) ?? "none").slice(0, 300)}, expected ${JSON.stringify(expected).slice(0, 300)}`;
  },
};

/** The canonical rows of one episode from DuckDB's values, or why the episode must fail. */
function episodeRows(duck, original, index, tasks) {
  if (duck.length !== original.length) return `${duck.length} rows, meta says ${original.length}`;
  const out = [];
  for (const [t, r] of duck.entries()) {
    if (Number(r.frame_index) !== t || Number(r.episode_index) !== index) return "frame or episode index off";
    const floats = (v) => (Array.isArray(v) && v.length === 7 && v.every((x) => typeof x === "number" && Number.isFinite(x)) ? v.map(Math.fround) : null);
    const action = floats(r.action);
    const state = floats(r["observation.state"]);
    if (!action || !state) return "action or state not 7 finite floats";
    const images = original[0].cameras.map((c) => r[`observation.images.${c}`]?.bytes);
    if (images.some((b) => !(b instanceof Uint8Array) || b.length === 0)) return "an image without bytes";
    const task = tasks.get(Number(r.task_index));
    if (task === undefined) return "unknown task_index";
    out.push({ ...original[t], images: images.map(sha), messages: [["user", task]], action, state, is_first: t === 0, is_last: t === duck.length - 1 });
  }
  return out;
}
