import { availableParallelism } from "node:os";
import sharp from "sharp";

/**
 * How batch decoding uses the machine. Each sharp call runs on one of libuv's worker threads (UV_THREADPOOL_SIZE,
 * default 4) and may split its own work over `vipsThreads` libvips threads. Small images (a 224 output from a
 * 640×480 JPEG) are decode-bound and libjpeg decodes on one thread, so parallelism must come from images in
 * flight, not threads per image: 1 libvips thread per image and 2 images in flight per core (one being decoded,
 * one queued so a worker never idles while the JS side hands over the next). Where the cores outnumber libuv's
 * workers, each image gets more threads instead. bench/run.mjs measures the alternatives; see README.
 *
 * Applying a plan also turns libvips's operation cache off (`sharp.cache(false)`), process-wide like the thread
 * count: a loader never asks twice for the same operation on the same image, so the cache only costs its hashing,
 * inserting and trimming, about 0.6 ms of a 5.1 ms decode+resize of a 640×480 JPEG (measured, README).
 */
export interface DecodePlan {
  /** sharp.concurrency(): libvips threads per image. */
  vipsThreads: number;
  /** Images a batch keeps in flight. */
  inFlight: number;
}

let configured: DecodePlan | null = null;

/** The plan chosen from the core count and libuv's pool size (nothing is applied). */
export function defaultDecodePlan(cores = availableParallelism(), uvThreads = uvPoolSize()): DecodePlan {
  const workers = Math.max(1, Math.min(cores, uvThreads));
  return { vipsThreads: Math.max(1, Math.floor(cores / workers)), inFlight: Math.max(2, 2 * Math.min(cores, uvThreads)) };
}

/**
 * Applies a plan (the default one for fields left out): sets `sharp.concurrency` process-wide and the batch
 * in-flight count. transformImages applies the default once, on first use, unless this was called.
 */
export function configureDecoding(plan: Partial<DecodePlan> = {}): DecodePlan {
  const base = defaultDecodePlan();
  const chosen = { vipsThreads: plan.vipsThreads ?? base.vipsThreads, inFlight: plan.inFlight ?? base.inFlight };
  for (const [name, v] of Object.entries(chosen)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`\`${name}\` must be a positive integer, got ${JSON.stringify(v)}`);
  }
  sharp.concurrency(chosen.vipsThreads);
  sharp.cache(false);
  configured = chosen;
  return chosen;
}

/** The plan in force, applying the default on first call. */
export function decodePlan(): DecodePlan {
  return configured ?? configureDecoding();
}

function uvPoolSize(): number {
  const n = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(n) && n > 0 ? n : 4;
}
