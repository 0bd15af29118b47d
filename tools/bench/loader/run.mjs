// The loader benchmark (`npm run bench -- loader`): LLaVA-style data → batches of 32 at 224×224, side by side in
// one invocation, so the ratios hold on a noisy machine:
//   - a PyTorch DataLoader (tools/baseline/llava_dataloader.py, 2 workers; skipped with a message when Debian's
//     python3-torch and python3-pil are missing),
//   - sharp's own decode+resize of the same images with the pool's images in flight (the limit of the online path),
//   - cotrain online: openLlava → createCollatorPool with workers 0, one per core, and the default,
//   - cotrain on preprocessed shards (`cotrain convert --image-size 224`, raw pixels and JPEG).
// Every pass runs in its own process (peak RSS is its own). Results: a table, and bench/results/loader.json.
// Sizes: LOADER_ENTRIES (20000), LOADER_IMAGES (2000), LOADER_LIMIT (samples per pass, default one epoch),
// LOADER_ROUNDS (2): every pass runs once per round, rounds interleaved, and its best round counts, so a burst of
// someone else's work on the shared cores slows one round of one pass rather than deciding a ratio.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultWorkers } from "@cotrain/collator";
import { loaderDataset } from "./dataset.mjs";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const here = fileURLToPath(new URL(".", import.meta.url));
const entries = Number(process.env.LOADER_ENTRIES ?? 20000);
const images = Number(process.env.LOADER_IMAGES ?? 2000);
const limit = Number(process.env.LOADER_LIMIT ?? entries);
const rounds = Number(process.env.LOADER_ROUNDS ?? 2);
const cores = availableParallelism();
const dataRoot = join(root, "bench/data");

const t0 = performance.now();
const ds = await loaderDataset(dataRoot, { entries, images });
console.log(`data: ${ds.entries} entries over ${ds.images} 640×480 JPEGs (${(ds.imageBytes / ds.images / 1024).toFixed(0)} KB each) in ${ds.imageRoot} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

function run(cmd, args, label, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", maxBuffer: 1 << 26, env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${label} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  return r;
}
const epochWith = (env, ...args) => JSON.parse(run(process.execPath, [join(here, "epoch.mjs"), ...args.map(String)], args[0], env).stdout.trim().split("\n").at(-1));
const epoch = (...args) => epochWith({}, ...args);

// Preprocessed shards, made once per data set by the real command.
const converted = {};
for (const format of ["raw", "jpeg"]) {
  const out = join(ds.imageRoot, `shards-224-${format}`);
  if (!existsSync(join(out, "manifest.json"))) {
    const s = performance.now();
    run(process.execPath, [join(root, "packages/cli/dist/bin.js"), "convert", ds.json, "--out", out, "--image-size", "224", "--image-format", format, "--image-kernel", "linear"], `convert ${format}`);
    converted[format] = (performance.now() - s) / 1000;
    console.log(`converted to 224 ${format} shards in ${converted[format].toFixed(1)} s`);
  }
}

function python() {
  for (const exe of ["python3", "/usr/bin/python3"]) {
    const r = spawnSync(exe, ["-c", "import torch, PIL, numpy"], { encoding: "utf8" });
    if (r.status === 0) return exe;
  }
  return null;
}
const py = python();
const results = {};
const measure = (name, fn) => {
  process.stdout.write(`  ${name} ... `);
  const r = fn();
  if (results[name] === undefined || r.samples_per_s > results[name].samples_per_s) results[name] = r;
  console.log(`${r.samples_per_s.toFixed(1)} samples/s`);
};
const byDefault = defaultWorkers();
const online = (w, variant = "") => `cotrain online, ${w} worker threads${w === byDefault ? " (default)" : ""}${variant}`;
const CACHE_ON = ", libvips's operation cache on (sharp's default, cotrain's before)";
const SHRINK = ", shrinkOnLoad";
const baseline = (draft) => `pytorch DataLoader, 2 workers${draft ? ", PIL draft" : ""}`;
const shards = (format, w) => `cotrain preprocessed 224 ${format} shards, ${w} worker threads${w === byDefault ? " (default)" : ""}`;
for (let round = 1; round <= rounds; round++) {
console.log(`round ${round} of ${rounds}`);
if (py === null) console.log("PyTorch baseline skipped: no python3 with torch, PIL and numpy (Debian: apt-get install python3-torch python3-pil)");
else for (const draft of [false, true]) measure(baseline(draft), () => JSON.parse(run(py, [join(root, "tools/baseline/llava_dataloader.py"), ds.json, ds.imageRoot, "--workers", "2", "--limit", String(limit), ...(draft ? ["--draft"] : [])], "baseline").stdout.trim()));
measure(`sharp decode+resize alone, ${2 * cores} in flight`, () => epoch("sharp", ds.json, ds.imageRoot, 2 * cores, limit));
for (const w of [...new Set([0, byDefault])]) measure(online(w), () => epoch("online", ds.json, ds.imageRoot, w, limit));
measure(online(0, CACHE_ON), () => epochWith({ VIPS_CACHE: "1" }, "online", ds.json, ds.imageRoot, 0, limit));
for (const w of [...new Set([0, byDefault])]) measure(online(w, SHRINK), () => epochWith({ SHRINK_ON_LOAD: "1" }, "online", ds.json, ds.imageRoot, w, limit));
// The reader passes read every entry whatever LOADER_LIMIT says (a few seconds each): over the first 6,000 samples
// its start-up (module loading, the parser's first chunks, the file thread's start) weighs as much as the reading.
measure("openLlava alone (feeds the pool)", () => epoch("reader", ds.json, ds.imageRoot, ds.entries));
measure("openLlava alone, fileThread false (async reads, as before)", () => epochWith({ FILE_THREAD: "0" }, "reader", ds.json, ds.imageRoot, ds.entries));
measure("its floor: JSON.parse + read each image", () => epoch("parse", ds.json, ds.imageRoot, ds.entries));
for (const format of ["raw", "jpeg"]) for (const w of [...new Set([0, byDefault])]) measure(shards(format, w), () => epoch("shards", join(ds.imageRoot, `shards-224-${format}`), w, limit));
}

// Why the online path tops out where it does: the CPU cost of one image, sharp against PIL, same files.
const perImage = { sharp: epoch("perimage", ds.json, ds.imageRoot, 300) };
if (py !== null) perImage.pil = JSON.parse(run(py, [join(root, "tools/baseline/llava_dataloader.py"), ds.json, ds.imageRoot, "--per-image", "300"], "baseline per image").stdout.trim());
console.log("CPU ms per 640×480 image, one at a time:");
console.table(Object.fromEntries(Object.entries(perImage).map(([k, v]) => [k, { decode: Number(v.decode_ms.toFixed(2)), "decode + resize to 224": Number(v.decode_resize_ms.toFixed(2)), "the same, sharp's operation cache on": v.decode_resize_cached_ms === undefined ? "" : Number(v.decode_resize_cached_ms.toFixed(2)) }])));

const torch = results[baseline(false)]?.samples_per_s;
const torchDraft = results[baseline(true)]?.samples_per_s;
const floor = results["its floor: JSON.parse + read each image"].samples_per_s;
const sharpLimit = results[`sharp decode+resize alone, ${2 * cores} in flight`].samples_per_s;
const rows = Object.entries(results).map(([name, r]) => ({
  pass: name,
  "samples/s": Number(r.samples_per_s.toFixed(1)),
  "× pytorch": torch === undefined ? "" : Number((r.samples_per_s / torch).toFixed(3)),
  "× pytorch draft": torchDraft === undefined || !name.endsWith(SHRINK) ? "" : Number((r.samples_per_s / torchDraft).toFixed(3)),
  "CPU ms/sample": r.cpu_ms_per_sample === undefined ? "" : Number(r.cpu_ms_per_sample.toFixed(2)),
  "× sharp limit": name.startsWith("cotrain online") ? Number((r.samples_per_s / sharpLimit).toFixed(3)) : "",
  "× floor": name.startsWith("openLlava alone") ? Number((r.samples_per_s / floor).toFixed(3)) : "",
  "peak RSS MiB": r.peak_rss_mib === undefined ? "" : Math.round(r.peak_rss_mib),
}));
console.table(rows);
const w0 = results[online(0)].fingerprints;
const pool = results[online(byDefault)].fingerprints;
const cached = results[online(0, CACHE_ON)].fingerprints;
const identical = JSON.stringify(w0) === JSON.stringify(pool) && JSON.stringify(w0) === JSON.stringify(cached);
console.log(`first ${w0.length} batches byte-identical with workers 0 and ${byDefault}, and with the operation cache on: ${identical ? "yes" : "NO"}`);
const out = join(root, "bench/results/loader.json");
mkdirSync(join(root, "bench/results"), { recursive: true });
writeFileSync(out, JSON.stringify({ bench: "loader", date: new Date().toISOString(), node: process.version, cpus: cpus().length, entries, images, limit, rounds, converted, perImage, results, table: rows, fingerprintsIdentical: identical }, null, 2));
console.log(`written ${out}`);
if (!identical) process.exit(1);
