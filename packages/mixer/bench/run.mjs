// Mixer benchmark: rows/s of mixed batches of B = 256 on in-memory sources of realistic canonical rows, each beside a
// plain concatenation (core concatBatches) of the same slices measured in the same run. The figure is the overhead
// ratio, baseline rows/s ÷ mixer rows/s (1.0 = no overhead). Run: node tools/bench.mjs mixer (after building).
import v8 from "node:v8";
import vm from "node:vm";
import { Schema } from "apache-arrow";
import { CANONICAL_SCHEMA, columnsOf, concatBatches, fromBatches, makeBatch, readUtf8, rowsToBatch } from "@cotrain/core";
import { mix } from "@cotrain/mixer";
import { measure, report } from "../../../tools/lib/bench-report.mjs";

const B = 256;
const ROUNDS = 7;
// The machine is shared: the mixer and its baseline are measured in alternating short rounds (a full GC before each)
// and compared by their medians, so load from other processes and garbage left by the other side bias neither.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const image = new Uint8Array(12_000).map((_, i) => (i * 31) & 0xff); // about a 64×64 JPEG

function robotRows(name, n) {
  return Array.from({ length: n }, (_, i) => ({
    source: name,
    kind: "robot",
    sample_id: `${name}-${i}`,
    images: [image],
    cameras: ["image_0"],
    messages: [{ role: "user", content: `pick up the red block number ${i}` }],
    action: Float32Array.from({ length: 7 }, (_, d) => d + i),
    state: Float32Array.from({ length: 8 }, (_, d) => d - i),
    episode_index: i >> 5,
    step_index: i & 31,
    is_first: (i & 31) === 0,
    is_last: (i & 31) === 31,
  }));
}
function webRows(name, n) {
  return Array.from({ length: n }, (_, i) => ({
    source: name,
    kind: "vqa",
    sample_id: `${name}-${i}`,
    images: [image],
    cameras: ["image"],
    messages: [{ role: "user", content: `<image>\nWhat is on the table? (${i})` }, { role: "assistant", content: "a red block and a blue bowl" }],
  }));
}
function batchesOf(rows, size = 100) {
  const out = [];
  for (let i = 0; i < rows.length; i += size) out.push(rowsToBatch(rows.slice(i, i + size)));
  return out;
}
/** The same batches with only the columns a VQA reader has (the mixer aligns them to the canonical schema). */
function narrow(batches) {
  const drop = new Set(["action", "action_is_pad", "state", "episode_index", "step_index", "is_first", "is_last"]);
  return batches.map((b) => {
    const keep = b.schema.fields.map((f, i) => [f, i]).filter(([f]) => !drop.has(f.name));
    return makeBatch(new Schema(keep.map(([f]) => f)), keep.map(([, i]) => columnsOf(b)[i]), b.numRows);
  });
}

const ROWS = 8192;
const data = {
  robot: batchesOf(robotRows("bridge", ROWS)),
  droid: batchesOf(robotRows("droid", ROWS / 2)),
  web: batchesOf(webRows("llava", ROWS)),
};

/** A cursor over batches handing out row ranges as slices, exactly as the mixer's per-source queue does. */
function slicer(batches) {
  let index = 0;
  let head = 0;
  return (n) => {
    const parts = [];
    while (n > 0 && index < batches.length) {
      const b = batches[index];
      const k = Math.min(n, b.numRows - head);
      parts.push(k === b.numRows ? b : b.slice(head, head + k));
      head += k;
      n -= k;
      if (head === b.numRows) {
        index++;
        head = 0;
      }
    }
    return parts;
  };
}

/** Per-step rows per source of one mixer run (counted once, outside the timing), for the baseline to replay. */
async function plan(makeMixer, names) {
  const steps = [];
  const mixer = makeMixer();
  for (let b = await mixer.next(); b !== null; b = await mixer.next()) {
    const col = b.getChild("source").data[0];
    const counts = names.map(() => 0);
    for (let i = 0; i < b.numRows; i++) counts[names.indexOf(sourceName(readUtf8(col, i)))]++;
    steps.push(counts);
  }
  return steps;
}
const sourceName = (s) => ({ bridge: "robot", droid: "droid", llava: "web" })[s];

async function compare(label, options, sources = { robot: data.robot, web: data.web }) {
  const names = Object.keys(sources);
  const makeMixer = () => mix({ sources: Object.fromEntries(names.map((n) => [n, fromBatches(sources[n], n)])), batchSize: B, seed: 1, ...options });
  const steps = await plan(makeMixer, names);
  const rows = steps.length * B;
  const runMixer = async () => {
    const mixer = makeMixer();
    let n = 0;
    for (let b = await mixer.next(); b !== null; b = await mixer.next()) n += b.numRows;
    return n;
  };
  // Baseline: the same slices, concatenated with core's concatBatches (web slices of the full canonical schema).
  const canonical = { robot: data.robot, droid: data.droid, web: data.web };
  const runConcat = () => {
    const take = names.map((n) => slicer(canonical[n]));
    for (const counts of steps) concatBatches(counts.flatMap((c, i) => (c > 0 ? take[i](c) : [])), CANONICAL_SCHEMA);
    return rows;
  };
  await runMixer();
  runConcat();
  const m = [];
  const c = [];
  for (let r = 0; r < ROUNDS; r++) {
    gc();
    m.push((await measure(runMixer, { minMs: 250, warmup: 0 })).perSecond);
    gc();
    c.push((await measure(runConcat, { minMs: 250, warmup: 0 })).perSecond);
  }
  const mixed = { perSecond: median(m) };
  const concat = { perSecond: median(c) };
  const overhead = concat.perSecond / mixed.perSecond;
  console.log(`${label}: mixer ${Math.round(mixed.perSecond)} rows/s, concat ${Math.round(concat.perSecond)} rows/s, overhead ${overhead.toFixed(3)}`);
  return { name: `mix ${label}, B=${B}`, value: mixed.perSecond, unit: "rows/s", baseline: "concatBatches of the same slices", baselineValue: concat.perSecond, overhead };
}

const results = [
  await compare("exact 1:1 grouped", { weights: "1:1", mode: "exact" }),
  await compare("exact 1:1 grouped, prefetch 0", { weights: "1:1", mode: "exact", prefetch: 0 }),
  await compare("exact 2:1:1 (3 sources)", { weights: "2:1:1", mode: "exact" }, { robot: data.robot, droid: data.droid, web: data.web }),
  await compare("exact 1:1, web without robot columns (aligned)", { weights: "1:1", mode: "exact" }, { robot: data.robot, web: narrow(data.web) }),
  await compare("sampled 1:1 grouped", { weights: "1:1", mode: "sampled" }),
  await compare("exact 1:1 shuffled (one gather copy)", { weights: "1:1", mode: "exact", order: "shuffled" }),
];
report("@cotrain/mixer", results, { overhead: Object.fromEntries(results.map((r) => [r.name, Number(r.overhead.toFixed(3))])) });
