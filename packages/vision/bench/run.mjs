// @cotrain/vision benchmark: images/s of decode + resize to 224×224 (transformImages) from 256×256 and 640×480
// photo-like JPEGs, beside sharp's own full decode of the same images in the same run (the physical limit: every
// pixel of a JPEG must be entropy-decoded), plus the effect of sharp's threads per image and images in flight.
// The 2 cores are shared, so every configuration is measured in several short rounds, interleaved, and the best
// round is kept: a burst of someone else's work then slows one round, not one configuration.
// Run: cd /work/main && npx tsc -p packages/vision/tsconfig.json && node tools/bench.mjs vision
import { availableParallelism } from "node:os";
import sharp from "sharp";
import { measure, report } from "../../../tools/lib/bench-report.mjs";
import { configureDecoding, defaultDecodePlan, transformImages } from "@cotrain/vision";
import { photoLikeJpeg } from "./photo.mjs";

const BATCH = 32;
const DISTINCT = 8; // distinct images per size, cycled through the batch
const ROUNDS = Number(process.env.VISION_BENCH_ROUNDS ?? 8);
const cores = availableParallelism();
const plan = defaultDecodePlan();

async function jpegs(width, height, distinct = DISTINCT) {
  const list = [];
  for (let i = 0; i < distinct; i++) list.push(await photoLikeJpeg(width, height, 100 + i));
  return Array.from({ length: BATCH }, (_, i) => list[i % distinct]);
}

/** Runs fn over items keeping `inFlight` calls pending, the way transformImages schedules its work. */
async function pool(items, inFlight, fn) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

const out = new Float32Array(BATCH * 224 * 224 * 3);
const decode = (list) => async () => {
  await pool(list, plan.inFlight, (bytes) => sharp(bytes).raw().toBuffer());
  return list.length;
};
const sharpResize = (list, kernel) => async () => {
  await pool(list, plan.inFlight, (bytes) => sharp(bytes).resize(224, 224, { fit: "cover", kernel }).raw().toBuffer());
  return list.length;
};
const transform = (list, spec, inFlight = plan.inFlight) => async () => {
  await transformImages(list, spec, { out, inFlight, seed: 1 });
  return list.length;
};

const small = await jpegs(256, 256);
const photo = await jpegs(640, 480);
const large = await jpegs(1280, 960, 3);
const resized = await Promise.all(photo.map(async (b) => new Uint8Array(await sharp(b).resize(224, 224).jpeg({ quality: 95 }).toBuffer())));
const avgKB = (list) => list.reduce((s, b) => s + b.length, 0) / list.length / 1024;
console.log(`cores ${cores}, default plan: sharp.concurrency(${plan.vipsThreads}), ${plan.inFlight} in flight; JPEG sizes: 256² ${avgKB(small).toFixed(0)} KB, 640×480 ${avgKB(photo).toFixed(0)} KB, 224² ${avgKB(resized).toFixed(0)} KB; best of ${ROUNDS} rounds`);

const spec = { size: 224 };
/** [name, fn, baseline name, vipsThreads] — fn is measured under sharp.concurrency(vipsThreads). */
const cases = [
  ["decode 256×256 JPEG (sharp, full size: the limit)", decode(small)],
  ["decode 640×480 JPEG (sharp, full size: the limit)", decode(photo)],
  ["decode 224×224 JPEG (pre-resized)", decode(resized), "decode 640×480 JPEG (sharp, full size: the limit)"],
  ["transformImages 256×256 → 224", transform(small, spec), "decode 256×256 JPEG (sharp, full size: the limit)"],
  ["transformImages 640×480 → 224", transform(photo, spec), "decode 640×480 JPEG (sharp, full size: the limit)"],
  ["transformImages 640×480 → 224, kernel linear", transform(photo, { ...spec, kernel: "linear" }), "decode 640×480 JPEG (sharp, full size: the limit)"],
  ["sharp resize cover 640×480 → 224 (no JS side)", sharpResize(photo, "lanczos3"), "decode 640×480 JPEG (sharp, full size: the limit)"],
  ["decode 1280×960 JPEG (sharp, full size)", decode(large)],
  ["transformImages 1280×960 → 224 (shrink-on-load 1/2)", transform(large, spec), "decode 1280×960 JPEG (sharp, full size)"],
  ["transformImages 1280×960 → 224, augment octo", transform(large, { ...spec, augment: "octo" }), "decode 1280×960 JPEG (sharp, full size)"],
  ["transformImages 640×480 → 224, augment octo", transform(photo, { ...spec, augment: "octo" }), "transformImages 640×480 → 224"],
  ["transformImages 224×224 → 224, augment octo", transform(resized, { ...spec, augment: "octo" }), "decode 224×224 JPEG (pre-resized)"],
];
for (const threads of [1, 2]) {
  for (const inFlight of [1, 2, 4, 8]) {
    cases.push([`sweep 640×480 → 224: concurrency(${threads}), ${inFlight} in flight`, transform(photo, spec, inFlight), "transformImages 640×480 → 224", threads]);
  }
}

const best = new Map();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn, , threads] of cases) {
    configureDecoding({ vipsThreads: threads ?? plan.vipsThreads, inFlight: plan.inFlight });
    const r = await measure(fn, { minMs: 200, warmup: round === 0 ? 1 : 0 });
    best.set(name, Math.max(best.get(name) ?? 0, r.perSecond));
  }
}
configureDecoding(plan);
const rows = cases.map(([name, , baseline]) => ({ name, value: best.get(name), unit: "images/s", baseline, baselineValue: baseline === undefined ? undefined : best.get(baseline) }));
report("vision", rows, { plan, cores, rounds: ROUNDS });
