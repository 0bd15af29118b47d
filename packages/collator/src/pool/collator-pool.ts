import { availableParallelism } from "node:os";
import type { RecordBatch } from "apache-arrow";
import { ConfigError } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";
import { decodePlan } from "@cotrain/vision";
import type { DecodePlan } from "@cotrain/vision";
import type { Batch } from "../batch.js";
import { createCollateCore } from "../collate-core.js";
import { collatorSurface, createCollatorCounters } from "../collator.js";
import type { Collator } from "../collator.js";
import type { CollatorOptions } from "../options.js";
import { InProcessLane, WorkerLane } from "./lanes.js";
import type { JobResult, Lane } from "./lanes.js";
import { SharedSlots } from "./shared-slots.js";
import { toPortable } from "./portable.js";

export interface CollatorPoolOptions extends CollatorOptions {
  /**
   * Worker threads (default: one per core); 0 collates in this thread, still several batches at once (decoding is
   * spread over the cores by sharp's threads either way), but only while this thread's event loop runs.
   */
  workers?: number;
  /** Batches collated at once (default 2 per worker, 2 with no workers). Memory is bounded by this × batch bytes. */
  maxPending?: number;
  /** Images each worker keeps in sharp's thread pool (default: 2 per core, spread over the workers). */
  inFlight?: number;
}

/** A collated batch and the collator's state right after it (what a checkpoint taken after it must hold). */
export interface Collated {
  batch: Batch;
  state: JsonValue;
  /**
   * Hands the batch's `pixels` back for a later batch to fill, instead of allocating (and faulting in) a new array
   * each time. Optional; after it, `batch.pixels` must not be read. Calling it twice does nothing.
   */
  release(): void;
}

/**
 * A Collator whose batches may be submitted before earlier ones finish, and are collated on worker threads. Results
 * come back in submission order and are byte-identical to createCollator's: every batch is a function of its rows,
 * its epoch and the source names known after it, and those two are fixed here, in submission order.
 */
export type CollatorPool = Collator & {
  readonly workers: number;
  readonly maxPending: number;
  /** Starts collating now; resolves in submission order. Call it for the next batch without awaiting this one. */
  submit(batch: RecordBatch): Promise<Collated>;
  /** Stops the worker threads (pending batches reject). Idle workers never keep the process alive, even unclosed. */
  close(): Promise<void>;
};

/** Row slots are made this much larger than the batch that first needs them, so that later, larger batches fit. */
const ROW_HEADROOM = 1.5;

export function createCollatorPool(options: CollatorPoolOptions): CollatorPool {
  const { workers: w, maxPending: m, inFlight: f, ...collatorOptions } = options;
  const workers = w ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 0) throw new ConfigError("COLLATOR_WORKERS", `\`workers\` must be a non-negative integer, got ${w}`, { field: "workers" });
  const maxPending = m ?? Math.max(2, 2 * workers);
  if (!Number.isInteger(maxPending) || maxPending < 1) throw new ConfigError("COLLATOR_MAX_PENDING", `\`maxPending\` must be a positive integer, got ${m}`, { field: "maxPending" });
  const core = createCollateCore(collatorOptions); // validates the options here, before any thread starts
  const counters = createCollatorCounters(collatorOptions);
  // A job holds its row slot until its worker replies; BatchLoader keeps at most maxPending jobs out, so that many
  // slots suffice (a caller submitting more at once sends the extra batches as bytes of their own).
  const rowSlots = new SharedSlots(maxPending, ROW_HEADROOM);
  const lanes: Lane[] = workers === 0 ? [new InProcessLane(core)] : startWorkers(collatorOptions, workers, f, rowSlots);
  let delivered: Promise<unknown> = Promise.resolve();
  const slots = new SharedSlots(maxPending + 2);

  const submit = (batch: RecordBatch): Promise<Collated> => {
    const sourceNames = counters.assign(batch);
    const epoch = counters.epoch();
    const lane = lanes.reduce((best, l) => (l.active < best.active ? l : best));
    const floats = batch.numRows * core.pixelsPerRow;
    const slot = slots.take(floats * 4);
    const work = lane.run({ batch, epoch, sourceNames, pixels: slot && { slot, floats } });
    if (slot !== undefined) work.catch(() => slots.give(slot));
    work.catch(() => undefined); // observed below, in order
    const result = delivered.then(() => work).then((r: JobResult): Collated => {
      counters.add(r.stats);
      // The state as a one-at-a-time collator has it right after this batch: its epoch and source names, not
      // those of batches submitted after it.
      let held = slot !== undefined && r.batch.pixels.buffer === slot.buffer;
      if (slot !== undefined && !held) slots.give(slot); // the batch's pixels did not go to the slot (stacked cameras)
      const release = (): void => {
        if (held && slot !== undefined) slots.give(slot);
        held = false;
      };
      return { batch: r.batch, state: { epoch, sourceNames, stats: counters.api.stats() as unknown as JsonValue }, release };
    });
    delivered = result.catch(() => undefined); // a failed batch is reported to its caller; later ones still come in order
    return result;
  };

  const collate = async (batch: RecordBatch): Promise<Batch> => (await submit(batch)).batch;
  return Object.assign(collate, {
    ...collatorSurface(core, counters),
    workers,
    maxPending,
    submit,
    close: async (): Promise<void> => void (await Promise.all(lanes.map((l) => l.close()))),
  });
}

/**
 * Worker threads share this process's libuv pool, where sharp decodes: each image runs on one libvips thread
 * (decode-bound small outputs gain nothing from more) and the workers together keep about 2 images per core in
 * flight, so the cores stay busy across batch boundaries without oversubscribing them.
 */
function startWorkers(options: CollatorOptions, workers: number, inFlight: number | undefined, rowSlots: SharedSlots): Lane[] {
  const portable = toPortable(options);
  const cores = availableParallelism();
  const each = inFlight ?? Math.max(2, Math.ceil((2 * cores) / workers));
  if (!Number.isInteger(each) || each < 1) throw new ConfigError("COLLATOR_IN_FLIGHT", `\`inFlight\` must be a positive integer, got ${inFlight}`, { field: "inFlight" });
  const decode: DecodePlan = { vipsThreads: 1, inFlight: each };
  decodePlan(); // sharp must be loaded in the main thread before any worker loads it (sharp's worker-thread rule)
  return Array.from({ length: workers }, () => new WorkerLane(portable, decode, rowSlots));
}

/**
 * One worker thread per core. A training step is synchronous and blocks this thread's event loop for its whole
 * length, so in-thread collating (workers 0) stalls during every step, while worker threads collate on through it:
 * that is what keeps the trainer's data wait near zero. A bare loader loop on 1-2 cores, which never blocks, runs
 * faster in-thread (the worker threads cost about 7% there, `npm run bench -- loader`): see the collator README.
 */
export function defaultWorkers(cores = availableParallelism()): number {
  return Math.max(1, cores);
}
