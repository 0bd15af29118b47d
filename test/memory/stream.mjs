// One measured run of the memory test (memory.test.ts), in a process of its own so the figures are this run's
// alone: streams a LLaVA JSON file and an RLDS dataset through reader → mixer → collator to the end, and prints
// JSON: rows, batches, seconds, and the memory figures (RSS from /proc/self/status, heap from V8).
//   node --expose-gc test/memory/stream.mjs LLAVA_JSON IMAGE_ROOT RLDS_DIR   (COTRAIN_MEMORY_KEEP=1: keep every batch)
// Runs against the built packages (dist).
import { readFileSync, writeFileSync } from "node:fs";
import { createByteTokenizer, createCollator } from "@cotrain/collator";
import { mix } from "@cotrain/mixer";
import { openRlds } from "@cotrain/robot";
import { openLlava } from "@cotrain/vqa";

const [json, imageRoot, rldsDir] = process.argv.slice(2);
const status = () => readFileSync("/proc/self/status", "utf8");
const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status())?.[1] ?? 0) * 1024;
const settle = () => {
  global.gc();
  global.gc();
};

const BATCH = 64;
const web = openLlava(json, { imageRoot, batchSize: BATCH });
const robot = await openRlds(rldsDir, { batchSize: BATCH });
const webRows = Number(JSON.parse(readFileSync(`${json}.count`, "utf8")).rows);
const robotRows = robot.dataset.allFiles.reduce((n, f) => n + f.length, 0) * Number(JSON.parse(readFileSync(`${json}.count`, "utf8")).steps);
const mixer = mix({ sources: { web, robot }, weights: { web: webRows, robot: robotRows }, batchSize: BATCH, mode: "exact", seed: 1, stop: "first_exhausted" });
const collate = createCollator({ tokenizer: createByteTokenizer(), template: "openvla", actions: { type: "continuous", dim: 7 }, maxLength: 96, padding: "max" });

const t0 = Date.now();
let rows = 0;
let batches = 0;
let baseline = null;
let heapPeak = 0;
let retainedPeak = 0;
const checkEvery = 100;
const WARMUP = 20;
// The control run of the test (COTRAIN_MEMORY_KEEP=1) keeps every mixed batch, as a leaking stage would.
const kept = process.env.COTRAIN_MEMORY_KEEP === "1" ? [] : null;
for (let b = await mixer.next(); b !== null; b = await mixer.next()) {
  kept?.push(b);
  const batch = await collate(b);
  rows += batch.size;
  batches++;
  if (batches === WARMUP) {
    // Warm: sharp's threads, the tokenizer, the readers' buffers exist. Measure from here; reset the peak RSS.
    settle();
    const m = process.memoryUsage();
    baseline = { rss: kb("VmRSS"), heap: m.heapUsed + m.arrayBuffers };
    try {
      writeFileSync("/proc/self/clear_refs", "5");
      baseline.hwmReset = true;
    } catch {
      baseline.hwmReset = false;
    }
  }
  if (batches > WARMUP && batches % 25 === 0) {
    const m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed + m.arrayBuffers);
  }
  // Every 100 batches (at any input size): what stays reachable (after full collections), which is what would grow if any stage
  // kept rows, batches or parse state from the input it has passed.
  if (batches > WARMUP && batches % checkEvery === 0) {
    settle();
    const r = process.memoryUsage();
    retainedPeak = Math.max(retainedPeak, r.heapUsed + r.arrayBuffers);
  }
}
const peakRss = kb("VmHWM");
settle();
const m = process.memoryUsage();
console.log(JSON.stringify({
  rows, batches, webRows, robotRows, seconds: (Date.now() - t0) / 1000,
  rssBaseline: baseline.rss, rssPeak: peakRss, rssGrowth: peakRss - baseline.rss, hwmReset: baseline.hwmReset,
  heapBaseline: baseline.heap, heapPeak, heapGrowth: heapPeak - baseline.heap, retainedPeak, retainedGrowth: retainedPeak - baseline.heap, heapEnd: m.heapUsed + m.arrayBuffers,
}));
await mixer.close?.();
process.exit(0);
