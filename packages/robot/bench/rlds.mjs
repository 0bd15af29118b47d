// RLDS benchmarks, imported by bench/run.mjs (`rows.push(...await benchRlds())`) and runnable alone:
//   node packages/robot/bench/rlds.mjs        (after `npx tsc -p packages/robot/tsconfig.json`)
// Every figure sits beside a baseline measured in the same run on the same bytes. Images stay encoded (the
// reader checks each one's JPEG signature and end marker, the default `validateImages: "header"`).
// - parse: openRlds → canonical RecordBatches, in steps/s and MB/s of TFRecord read, beside fs.readFile of the
//   same shard files (raw read speed); the stages under it (TFRecord framing + CRC32C; + tf.train.Example decode
//   and checks into Episodes) beside the same raw read;
// - reader vs its parse-only floor: openRlds as a training job uses it (defaults, batches of 32) in rows/s, beside
//   TFRecord framing + tf.train.Example decode of the same shards (no episode checks, no rows);
// - statistics: computeStats over readRldsEpisodes, beside the same episode pass without statistics;
// - memory: the heap while streaming the dataset three times through a 256-row shuffle buffer, beside the dataset size.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import sharp from "sharp";
import { collect, shuffle } from "@cotrain/core";
import { computeStats, decodeExample, openRlds, readRldsEpisodes, readTFRecords, writeRlds } from "@cotrain/robot";
import { measure, report } from "../../../tools/lib/bench-report.mjs";

const EPISODES = 48;
const STEPS = 40;
const SIZE = 96;

async function imagePool(n) {
  const pool = [];
  for (let i = 0; i < n; i++) {
    const pixels = Buffer.alloc(SIZE * SIZE * 3);
    for (let p = 0; p < pixels.length; p++) pixels[p] = (p * (i + 5) + ((p / (SIZE * 3)) | 0) * 11) & 0xff;
    pool.push(new Uint8Array(await sharp(pixels, { raw: { width: SIZE, height: SIZE, channels: 3 } }).jpeg({ quality: 85 }).toBuffer()));
  }
  return pool;
}

function* episodes(pool) {
  for (let e = 0; e < EPISODES; e++) {
    yield {
      source: "bridge", index: e, id: `traj${e}`, length: STEPS,
      cameras: [0, 1, 2, 3].map((c) => ({ name: `image_${c}`, frames: Array.from({ length: STEPS }, (_, t) => pool[(e * 7 + t * 3 + c) % pool.length]) })),
      actions: Float32Array.from({ length: STEPS * 7 }, (_, i) => Math.sin(i + e) / 10), actionDim: 7,
      states: Float32Array.from({ length: STEPS * 7 }, (_, i) => Math.cos(i - e)), stateDim: 7,
      instructions: new Array(STEPS).fill(`put the spoon in pot ${e}`),
    };
  }
}

function heapSampler() {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  return () => {
    gc();
    gc();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
}

export async function benchRlds() {
  const rows = [];
  const dir = mkdtempSync(join(tmpdir(), "cotrain-bench-rlds-"));
  try {
    const pool = await imagePool(24);
    const { files } = await writeRlds(dir, episodes(pool), { name: "bridge_dataset", preset: "bridge", episodesPerShard: 12 });
    const megabytes = files.reduce((sum, f) => sum + statSync(f).size, 0) / 1e6;
    const steps = EPISODES * STEPS;
    const mbPerStep = megabytes / steps;

    const raw = await measure(() => {
      for (const f of files) readFileSync(f);
      return megabytes;
    });
    const ours = await measure(async () => {
      await collect(await openRlds(dir, { batchSize: 64 }));
      return steps;
    }, { minMs: 3000 });
    const framing = await measure(async () => {
      for (const f of files) for await (const r of readTFRecords(f)) void r;
      return megabytes;
    });
    const parse = await measure(async () => {
      for await (const e of await readRldsEpisodes(dir)) void e;
      return steps;
    }, { minMs: 3000 });
    const stats = await measure(async () => {
      await computeStats(await readRldsEpisodes(dir));
      return steps;
    }, { minMs: 3000 });
    const reader = await measure(async () => {
      await collect(await openRlds(dir, { batchSize: 32 }));
      return steps;
    }, { minMs: 3000 });
    const floor = await measure(async () => {
      for (const f of files) for await (const r of readTFRecords(f)) void decodeExample(r.data, { file: f });
      return steps;
    }, { minMs: 3000 });
    const label = `${EPISODES}×${STEPS} steps, 4 cameras ${SIZE}px JPEG, ${megabytes.toFixed(1)} MB`;
    rows.push({ name: `RLDS → canonical batches (${label})`, value: ours.perSecond, unit: "steps/s", baseline: "fs.readFile of the same shards, as steps/s", baselineValue: raw.perSecond / mbPerStep });
    rows.push({ name: "RLDS → canonical batches", value: ours.perSecond * mbPerStep, unit: "MB/s", baseline: "fs.readFile of the same shards", baselineValue: raw.perSecond });
    rows.push({ name: "RLDS → Episodes (Example decode + checks, no rows)", value: parse.perSecond * mbPerStep, unit: "MB/s", baseline: "fs.readFile of the same shards", baselineValue: raw.perSecond });
    rows.push({ name: "TFRecord framing + CRC32C only", value: framing.perSecond, unit: "MB/s", baseline: "fs.readFile of the same shards", baselineValue: raw.perSecond });
    rows.push({ name: "openRlds → batches of 32, defaults", value: reader.perSecond, unit: "rows/s", baseline: "TFRecord framing + Example decode (parse-only floor)", baselineValue: floor.perSecond });
    rows.push({ name: "computeStats over readRldsEpisodes", value: stats.perSecond, unit: "steps/s", baseline: "readRldsEpisodes alone", baselineValue: parse.perSecond });

    // Memory: three epochs (a new episode order each) through a 256-row step shuffle; heap after full GCs.
    const used = heapSampler();
    const source = shuffle(await openRlds(dir, { batchSize: 32, shuffleEpisodes: true, seed: 1 }), { bufferSize: 256, seed: 1, batchSize: 32 });
    const samples = [];
    let streamed = 0;
    for (let epoch = 0; epoch < 3; epoch++) {
      if (epoch > 0) source.reset(epoch);
      for (let b = await source.next(); b !== null; b = await source.next()) {
        streamed += b.numRows;
        if (streamed % 320 === 0) samples.push(used());
      }
    }
    const settled = samples.slice(2);
    const growth = Math.max(...settled) - Math.min(...settled);
    rows.push({ name: `heap growth while streaming ${(streamed * mbPerStep).toFixed(0)} MB (3 epochs, shuffle buffer 256 rows)`, value: growth / 1e6, unit: "MB", baseline: "size of the dataset", baselineValue: megabytes });
    rows.push({ name: "peak heap + buffers while streaming (after GC)", value: Math.max(...samples) / 1e6, unit: "MB", baseline: "size of the dataset", baselineValue: megabytes });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  report("@cotrain/robot (RLDS)", await benchRlds());
}
