// One measured pass of the loader bench, in its own process so its peak RSS is its own. Prints one JSON line.
//   node epoch.mjs online  JSON IMAGE_ROOT WORKERS LIMIT   LLaVA JSON → collator (pool of WORKERS threads, or
//                                                          "default": the pool's default for this machine)
//   node epoch.mjs shards  DIR WORKERS LIMIT               preprocessed shards → the same collator
//   node epoch.mjs sharp   JSON IMAGE_ROOT IN_FLIGHT LIMIT  sharp's decode+resize alone on the same images
//   node epoch.mjs reader  JSON IMAGE_ROOT LIMIT            openLlava alone (no collation): what feeds the pool
//   node epoch.mjs parse   JSON IMAGE_ROOT LIMIT            its floor: JSON.parse of the file + reading each image
//   node epoch.mjs perimage JSON IMAGE_ROOT N               CPU ms per image of sharp's decode and decode+resize
//                                                          (libvips's operation cache off, and on as sharp has it)
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { openShards, rebatch } from "@cotrain/core";
import { openLlava } from "@cotrain/vqa";
import { configureDecoding } from "@cotrain/vision";
import { BatchLoader, batchFingerprint, createCollatorPool } from "@cotrain/collator";

export const SIZE = 224;
export const KERNEL = "linear"; // the baseline's PIL bilinear
export const BATCH = 32;
const FINGERPRINTED = 8; // batches whose fingerprints are compared across runs

const peakRssMiB = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) / 1024;
const [mode, ...args] = process.argv.slice(2);

async function collateAll(source, workers, limit) {
  if (process.env.VIPS_CACHE === "1") {
    // The collator as it was before it turned libvips's operation cache off (workers 0 only: a worker thread's
    // configureDecoding would turn it off again, process-wide).
    configureDecoding();
    sharp.cache(true);
  }
  const pool = createCollatorPool({ tokenizer: "byte", template: "llava_v1", image: { size: SIZE, transform: { kernel: KERNEL, ...(process.env.SHRINK_ON_LOAD === "1" ? { shrinkOnLoad: true } : {}) } }, ...(workers === "default" ? {} : { workers: Number(workers) }), ...(process.env.MAXPENDING ? { maxPending: Number(process.env.MAXPENDING) } : {}), ...(process.env.INFLIGHT ? { inFlight: Number(process.env.INFLIGHT) } : {}) });
  const loader = new BatchLoader(source, pool);
  const prints = [];
  let samples = 0;
  let start = 0;
  let waitMs = 0;
  let cpu0 = null;
  // Hashing the first batches (to compare them across passes) is the bench's work, not the loader's: its time and
  // CPU are taken out of the measurement (the baseline hashes nothing).
  let hashMs = 0;
  let hashCpuMs = 0;
  // The clock starts after the first batch: worker start-up and the first read are the same one-off cost in every
  // loader (the baseline's clock also starts when its loop starts, after its workers fork).
  for (;;) {
    const item = await loader.next();
    if (item === null || samples >= limit) break;
    if (prints.length < FINGERPRINTED) {
      const t = performance.now();
      const c = process.cpuUsage();
      prints.push(batchFingerprint(item.batch));
      const spent = process.cpuUsage(c);
      if (start !== 0) {
        hashMs += performance.now() - t;
        hashCpuMs += (spent.user + spent.system) / 1000;
      }
    }
    item.release(); // a training loop releases each batch once its step has read it
    if (start === 0) {
      start = performance.now();
      cpu0 = process.cpuUsage();
    } else {
      samples += item.batch.size;
      waitMs += item.waitMs;
    }
  }
  const seconds = (performance.now() - start - hashMs) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await loader.drain();
  await pool.close();
  await source.close?.();
  return { samples, seconds, samples_per_s: samples / seconds, cpu_ms_per_sample: ((cpu.user + cpu.system) / 1000 - hashCpuMs) / samples, hash_ms: hashMs, workers: pool.workers, peak_rss_mib: peakRssMiB(), fingerprints: prints };
}

async function sharpLimit(json, imageRoot, inFlight, limit) {
  // The images of the same samples, read and decoded+resized as the collator's spec does it, with nothing else.
  const entries = JSON.parse(readFileSync(json, "utf8")).slice(0, limit + BATCH);
  const paths = entries.filter((e) => e.image !== undefined).map((e) => join(imageRoot, e.image));
  sharp.concurrency(1);
  sharp.cache(false); // sharp at its best: on a stream of new images its operation cache never hits, it only costs
  let next = 0;
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  const work = async () => {
    while (next < paths.length) {
      const bytes = await readFile(paths[next++]);
      await sharp(bytes).resize(SIZE, SIZE, { fit: "cover", kernel: KERNEL }).raw().toBuffer();
    }
  };
  await Promise.all(Array.from({ length: inFlight }, work));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // Expressed per sample of the epoch (1 in 10 has no image), so it compares with the loaders' samples/s.
  return { samples: entries.length, images: paths.length, seconds, samples_per_s: entries.length / seconds, cpu_ms_per_sample: (cpu.user + cpu.system) / 1000 / entries.length, in_flight: inFlight, peak_rss_mib: peakRssMiB() };
}

/** The reader's options; FILE_THREAD=0 reads the files asynchronously on the reader's thread (fileThread false). */
const llavaOptions = () => ({ batchSize: BATCH, ...(process.env.FILE_THREAD === "0" ? { fileThread: false } : {}) });

async function readerAlone(json, imageRoot, limit) {
  const source = openLlava(json, { imageRoot, ...llavaOptions() });
  let samples = 0;
  const start = performance.now();
  for (let b = await source.next(); b !== null && samples < limit; b = await source.next()) samples += b.numRows;
  const seconds = (performance.now() - start) / 1000;
  await source.close?.();
  return { samples, seconds, samples_per_s: samples / seconds, peak_rss_mib: peakRssMiB() };
}

async function parseFloor(json, imageRoot, limit) {
  // What any LLaVA loader must do at least: parse the JSON and read each image file (16 reads at once).
  const start = performance.now();
  const entries = JSON.parse(readFileSync(json, "utf8")).slice(0, limit);
  let next = 0;
  const work = async () => {
    while (next < entries.length) {
      const e = entries[next++];
      if (e.image !== undefined) await readFile(join(imageRoot, e.image));
    }
  };
  await Promise.all(Array.from({ length: 16 }, work));
  const seconds = (performance.now() - start) / 1000;
  return { samples: entries.length, seconds, samples_per_s: entries.length / seconds, peak_rss_mib: peakRssMiB() };
}

async function perImage(json, imageRoot, n) {
  // One image at a time on one libvips thread, bytes already in memory: the CPU cost of the work itself.
  const paths = [...new Set(JSON.parse(readFileSync(json, "utf8")).filter((e) => e.image !== undefined).map((e) => e.image))].slice(0, n);
  const images = paths.map((p) => readFileSync(join(imageRoot, p)));
  sharp.concurrency(1);
  sharp.cache(false);
  const withCache = async (fn) => {
    sharp.cache(true);
    try {
      return await fn();
    } finally {
      sharp.cache(false);
    }
  };
  const cpuMs = async (fn) => {
    await fn(images[0]);
    const c0 = process.cpuUsage();
    for (const bytes of images) await fn(bytes);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000 / images.length;
  };
  return {
    images: images.length,
    decode_ms: await cpuMs((b) => sharp(b).raw().toBuffer()),
    decode_resize_ms: await cpuMs((b) => sharp(b).resize(SIZE, SIZE, { fit: "cover", kernel: KERNEL }).raw().toBuffer()),
    // with libvips's operation cache on, as sharp has it by default (cotrain turns it off: vision's pool.ts)
    decode_resize_cached_ms: await withCache(() => cpuMs((b) => sharp(b).resize(SIZE, SIZE, { fit: "cover", kernel: KERNEL }).raw().toBuffer())),
  };
}

let result;
if (mode === "online") result = await collateAll(openLlava(args[0], { imageRoot: args[1], ...llavaOptions() }), args[2], Number(args[3]));
else if (mode === "shards") result = await collateAll(rebatch(openShards(args[0]), BATCH), args[1], Number(args[2]));
else if (mode === "sharp") result = await sharpLimit(args[0], args[1], Number(args[2]), Number(args[3]));
else if (mode === "reader") result = await readerAlone(args[0], args[1], Number(args[2]));
else if (mode === "parse") result = await parseFloor(args[0], args[1], Number(args[2]));
else if (mode === "perimage") result = await perImage(args[0], args[1], Number(args[2]));
else throw new Error(`unknown mode ${mode}`);
console.log(JSON.stringify(result));
