// Trainer benchmark: ms/step and samples/s of the default model on each available backend (wasm, cpu, and the
// native "tensorflow" backend when @tensorflow/tfjs-node(-gpu) loads), a forward-only baseline, and the share of
// wall time the full loop (real collator decoding COCO-size JPEGs) waits for data, one batch ahead and with the pool. Run: node tools/bench.mjs trainer
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { Rng, fromRows } from "@cotrain/core";
import { createCollator, createCollatorPool, defaultWorkers } from "@cotrain/collator";
import { photoLikeJpeg } from "../../vision/bench/photo.mjs";
import { selectBackend, VlaModel, AdamW, prepareBatch, trainStep, batchTensors, disposeBatchTensors, train, readMetrics, tf } from "@cotrain/trainer";
import { measure, report } from "../../../tools/lib/bench-report.mjs";

const VOCAB = 516; // the byte-level tokenizer's vocabulary
const SEQ = 32;

/** A synthetic collated batch at the default sizes: half robot rows (7-D actions), half web rows (8 answer tokens). */
function syntheticBatch(B) {
  const rng = Rng.from(1);
  const T = SEQ;
  const labels = new Int32Array(B * T).fill(-100);
  const inputIds = Int32Array.from({ length: B * T }, () => rng.int(VOCAB));
  const kinds = new Uint8Array(B);
  for (let b = 0; b < B; b++) {
    kinds[b] = b % 2;
    if (b % 2) for (let t = T - 8; t < T; t++) labels[b * T + t] = inputIds[b * T + t];
  }
  return {
    size: B, seqLen: T, pixels: Float32Array.from({ length: B * 64 * 64 * 3 }, () => rng.float() * 2 - 1), pixelShape: [B, 64, 64, 3],
    inputIds, attentionMask: new Int32Array(B * T).fill(1), labels, actions: Float32Array.from({ length: B * 7 }, () => rng.normal()), actionShape: [B, 7],
    actionMask: Float32Array.from({ length: B }, (_, b) => (b % 2 ? 0 : 1)), actionMaskShape: [B], kinds, sources: Int32Array.from(kinds), sourceNames: ["robot", "web"],
    sampleIds: Array.from({ length: B }, (_, i) => `s${i}`), numTrainedTokens: (B / 2) * 8, numActionRows: B / 2, numActionEntries: B / 2,
    trainedPerRow: new Int32Array(B), hasImage: new Uint8Array(B).fill(1), imageMask: new Uint8Array(B).fill(1), actionFormat: "continuous", vocabSize: VOCAB,
  };
}

async function stepRate(backend, B, withForward = true) {
  await selectBackend(backend, { log: null });
  const model = VlaModel.create({ vocabSize: VOCAB }, 0);
  const opt = new AdamW();
  const prepared = prepareBatch(syntheticBatch(B), model.config);
  const options = { lambda: 1, actionLoss: "mse", trainable: model.trainableNames(), lr: 1e-3, clipNorm: 1 };
  const trainR = await measure(() => (trainStep(model, opt, prepared, options), 1), { minMs: backend === "cpu" ? 1 : 2000, warmup: 1 });
  const t = batchTensors(prepared, model);
  const fwdR = !withForward ? { perSecond: NaN } : await measure(() => {
    const out = tf.tidy(() => {
      const o = model.forward(t.inputs);
      return tf.concat([tf.reshape(o.textLogits, [-1]), tf.reshape(o.actions, [-1])]);
    });
    out.dataSync();
    out.dispose();
    return 1;
  }, { minMs: 1000, warmup: 1 });
  disposeBatchTensors(t);
  opt.dispose();
  const params = model.numParams();
  model.dispose();
  return { trainMs: 1000 / trainR.perSecond, fwdMs: 1000 / fwdR.perSecond, samplesPerSec: B * trainR.perSecond, params };
}

// ---- the full loop: canonical rows with PNG images → real collator → train(), measuring data wait ----
function png(rgb, w, h) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc(h * (1 + w * 3));
  for (let y = 0; y < h; y++) Buffer.from(rgb.buffer, y * w * 3, w * 3).copy(raw, y * (1 + w * 3) + 1);
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]));
}

function canonicalRows(n) {
  const rng = Rng.from(5);
  return Array.from({ length: n }, (_, i) => {
    const rgb = Uint8Array.from({ length: 64 * 64 * 3 }, () => rng.int(256));
    const images = [png(rgb, 64, 64)];
    return i % 2 === 0
      ? { source: "robot", kind: "robot", sample_id: `r${i}`, images, cameras: ["main"], messages: [{ role: "user", content: "pick up the block" }], action: Array.from({ length: 7 }, () => rng.normal() * 0.3) }
      : { source: "web", kind: "vqa", sample_id: `w${i}`, images, cameras: ["image"], messages: [{ role: "user", content: "What color?" }, { role: "assistant", content: "red" }] };
  });
}

/** Canonical rows over a few 640×480 photo-like JPEGs (COCO-size, as LLaVA data has): decoding is the data cost. */
async function photoRows(n) {
  const photos = [];
  for (let i = 0; i < 8; i++) photos.push(await photoLikeJpeg(640, 480, 200 + i));
  return canonicalRows(n).map((r, i) => ({ ...r, images: [photos[i % photos.length]] }));
}

/** The share of wall time the training loop waits for data: one batch ahead (createCollator) vs the default pool. */
async function loopDataWait(B, steps, makeCollate) {
  const collate = makeCollate({ tokenizer: "byte", template: "plain", actions: { type: "continuous", dim: 7 }, image: { size: 64 }, maxLength: SEQ, padding: "max" });
  const rows = await photoRows(B * (steps + 2));
  const dir = mkdtempSync(join(tmpdir(), "cotrain-trainer-bench-"));
  await train({ runDir: dir, source: fromRows(rows, { batchSize: B }), collate, steps, backend: "wasm", progress: "none", handleSigint: false, output: { write: () => true } });
  await collate.close?.();
  const lines = readMetrics(join(dir, "metrics.jsonl")).filter((l) => l.type === "train");
  rmSync(dir, { recursive: true, force: true });
  const rest = lines.slice(1); // the first step waits for the pipeline (and the pool's threads) to start
  const stepMs = rest.reduce((s, l) => s + l.stepMs, 0) / rest.length;
  const waitMs = rest.reduce((s, l) => s + l.dataWaitMs, 0) / rest.length;
  return { stepMs, waitMs, share: lines.at(-1).dataWaitShare };
}

const rows = [];
const wasm = await stepRate("wasm", 32);
rows.push({ name: "train step, default model, wasm, batch 32", value: wasm.trainMs, unit: "ms/step" });
rows.push({ name: "train throughput, wasm", value: wasm.samplesPerSec, unit: "samples/s" });
rows.push({ name: "train step vs forward only, wasm", value: wasm.trainMs, unit: "ms", baseline: "forward only", baselineValue: wasm.fwdMs });
const cpu = await stepRate("cpu", 4, false);
rows.push({ name: "train step, default model, cpu, batch 4", value: cpu.trainMs, unit: "ms/step" });
rows.push({ name: "train throughput wasm vs cpu", value: wasm.samplesPerSec, unit: "samples/s", baseline: "cpu", baselineValue: cpu.samplesPerSec });
let native = "not loaded";
try {
  const sel = await selectBackend("tensorflow", { log: null });
  const tfRate = await stepRate(sel.candidate, 32);
  rows.push({ name: `train throughput ${sel.candidate} vs wasm`, value: tfRate.samplesPerSec, unit: "samples/s", baseline: "wasm", baselineValue: wasm.samplesPerSec });
  native = sel.candidate;
} catch (error) {
  native = error.message;
}
const single = await loopDataWait(32, 12, createCollator);
const inThread = await loopDataWait(32, 12, (o) => createCollatorPool({ ...o, workers: 0 }));
const pooled = await loopDataWait(32, 12, createCollatorPool);
rows.push({ name: "full loop, 640×480 JPEGs → 64², wasm, batch 32: data wait share (createCollator, one ahead)", value: 100 * single.share, unit: "%" });
rows.push({ name: "full loop, same: data wait share (createCollatorPool, workers 0)", value: 100 * inThread.share, unit: "%" });
rows.push({ name: `full loop, same: data wait share (createCollatorPool, default: ${defaultWorkers()} workers)`, value: 100 * pooled.share, unit: "%" });
rows.push({ name: "data wait per step: pool (default) vs one batch ahead", value: pooled.waitMs, unit: "ms", baseline: "one ahead", baselineValue: single.waitMs });
const loop = pooled;
console.log(`default model: ${wasm.params} parameters; native backend: ${native}`);
report("trainer", rows, { params: wasm.params, nativeBackend: native, loopStepMs: loop.stepMs });
