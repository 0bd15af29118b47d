// Benchmarks of the cotrain command's own work, each beside the bare reader it wraps (same data, same run):
// what convert (writeShards), inspect's count and stats' extra accounting cost over just reading, and the
// binary's start-up time against a bare `node`. Run after a build: node tools/bench.mjs cli
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { collect } from "@cotrain/core";
import { computeStats, openRlds, writeRlds } from "@cotrain/robot";
import { openLlava, writeLlava } from "@cotrain/vqa";
import { convertDataset, datasetStats, inspectDataset } from "@cotrain/cli";
import { measure, report } from "../../../tools/lib/bench-report.mjs";

const dir = mkdtempSync(join(tmpdir(), "cotrain-cli-bench-"));
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
try {
  const frames = await Promise.all(["#a03030", "#30a030", "#3030a0", "#a0a030"].map(async (c) => new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 3, background: c } }).jpeg().toBuffer())));
  const EPISODES = 40;
  const LENGTH = 25;
  const episodes = Array.from({ length: EPISODES }, (_, e) => ({
    source: "bridge", index: e, id: `ep${e}`, length: LENGTH,
    cameras: [0, 1, 2, 3].map((c) => ({ name: `image_${c}`, frames: Array.from({ length: LENGTH }, (_, t) => frames[(e + t + c) % 4]) })),
    actions: Float32Array.from({ length: LENGTH * 7 }, (_, i) => Math.sin(e + i) / 10), actionDim: 7,
    states: Float32Array.from({ length: LENGTH * 7 }, (_, i) => Math.cos(e + i)), stateDim: 7,
    instructions: new Array(LENGTH).fill("pick up the red block"),
  }));
  const rlds = join(dir, "bridge_dataset", "1.0.0");
  await writeRlds(rlds, episodes, { name: "bridge_dataset", preset: "bridge", shards: 4 });
  const ENTRIES = 3000;
  const json = join(dir, "vqa.json");
  await writeLlava(json, Array.from({ length: ENTRIES }, (_, i) => ({ id: `q${i}`, images: [{ path: `img/${i % 4}.jpg`, bytes: frames[i % 4] }], conversations: [{ from: "human", value: "<image>\nWhat colour is it?" }, { from: "gpt", value: "red" }] })), { imageRoot: dir });
  const steps = EPISODES * LENGTH;

  const drain = async (source) => (await collect(source)).reduce((n, b) => n + b.numRows, 0);
  let k = 0;
  const readRlds = await measure(async () => drain(await openRlds(rlds, { batchSize: 256 })));
  const convert = await measure(async () => {
    const out = join(dir, `shards-${k++}`);
    const { manifest } = await convertDataset({ path: rlds }, out);
    rmSync(out, { recursive: true, force: true });
    return manifest.total_rows;
  });
  const readLlava = await measure(async () => drain(openLlava(json, { batchSize: 256, validateImages: false })));
  const count = await measure(async () => (await inspectDataset({ path: json }, { samples: 3 })).counts.entries);
  const statsAlone = await measure(async () => (await computeStats(await openRlds(rlds, { batchSize: 256 }))).numTransitions);
  const stats = await measure(async () => (await datasetStats({ path: rlds })).rows);
  const startup = (args) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const helpMs = median(Array.from({ length: 5 }, () => startup([bin, "--help"])));
  const nodeMs = median(Array.from({ length: 5 }, () => startup(["-e", "0"])));

  report("cli", [
    { name: `convert RLDS → arrow shards (${steps} steps, 4 × 64² JPEG)`, value: convert.perSecond, unit: "rows/s", baseline: "openRlds read alone", baselineValue: readRlds.perSecond },
    { name: `inspect: count LLaVA entries (${ENTRIES})`, value: count.perSecond, unit: "entries/s", baseline: "openLlava read alone", baselineValue: readLlava.perSecond },
    { name: "stats RLDS (robot + VQA accounting)", value: stats.perSecond, unit: "rows/s", baseline: "computeStats alone", baselineValue: statsAlone.perSecond },
    { name: "cotrain --help start-up", value: helpMs, unit: "ms", baseline: "node -e 0", baselineValue: nodeMs },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
