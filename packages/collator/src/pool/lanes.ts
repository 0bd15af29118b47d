import { Worker } from "node:worker_threads";
import type { RecordBatch } from "apache-arrow";
import { builtWorkerScript } from "@cotrain/core";
import type { DecodePlan } from "@cotrain/vision";
import type { Batch } from "../batch.js";
import type { CollateCore } from "../collate-core.js";
import type { CollatorStats } from "../stats.js";
import type { JobMessage, ResultMessage } from "./messages.js";
import type { SharedSlot, SharedSlots } from "./shared-slots.js";
import type { PortableCollatorOptions } from "./portable.js";
import { batchToWire, errorFromWire } from "./wire.js";

export interface Job {
  batch: RecordBatch;
  epoch: number;
  sourceNames: string[];
  /** Where the batch's pixels go: `floats` values at the start of a shared slot (absent: an array of its own). */
  pixels?: { slot: SharedSlot; floats: number } | undefined;
}

export type JobResult = { batch: Batch; stats: CollatorStats };

function slotView(pixels: Job["pixels"]): Float32Array | undefined {
  return pixels === undefined ? undefined : new Float32Array(pixels.slot.buffer, 0, pixels.floats);
}

/** Where a batch is collated: this thread, or one worker thread. A lane may run several jobs at once. */
export interface Lane {
  run(job: Job): Promise<JobResult>;
  /** Jobs running now (the pool gives the next job to the least loaded lane). */
  readonly active: number;
  close(): Promise<void>;
}

export class InProcessLane implements Lane {
  active = 0;
  constructor(private readonly core: CollateCore) {}

  async run(job: Job): Promise<JobResult> {
    this.active++;
    try {
      return await this.core.run(job.batch, job.epoch, job.sourceNames, slotView(job.pixels));
    } finally {
      this.active--;
    }
  }

  async close(): Promise<void> {}
}

export class WorkerLane implements Lane {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: JobResult) => void; reject: (e: Error) => void; view: Float32Array | undefined; rows: SharedSlot | undefined }>();
  private seq = 0;
  private failure: Error | null = null;
  private closed = false;
  private readonly known = new Map<number, SharedArrayBuffer>(); // the pixel slot buffers this worker holds already
  private readonly knownRows = new Map<number, SharedArrayBuffer>(); // and the row slot buffers
  private waiting = 0; // jobs whose rows are being written, not yet sent

  constructor(
    options: PortableCollatorOptions,
    decode: DecodePlan,
    private readonly rowSlots: SharedSlots,
  ) {
    this.worker = new Worker(builtWorkerScript(import.meta.url, "./worker.js"), { workerData: { options, decode } });
    this.worker.unref(); // an idle pool never keeps the process alive; a lane with jobs holds it (see run)
    this.worker.on("message", (message: ResultMessage) => this.settle(message));
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new Error(`a collator worker thread exited (code ${code}) with ${this.pending.size} batch(es) unfinished`)));
  }

  get active(): number {
    return this.pending.size + this.waiting;
  }

  async run(job: Job): Promise<JobResult> {
    const view = slotView(job.pixels);
    if (this.failure !== null) throw this.failure;
    if (this.closed) throw new Error("the collator pool is closed");
    const seq = this.seq++;
    this.waiting++; // counted as active from now, while its rows are written
    let written: Awaited<ReturnType<typeof batchToWire>>;
    try {
      written = await batchToWire(job.batch, this.rowSlots);
    } finally {
      this.waiting--;
    }
    let rows: JobMessage["rows"];
    let rowSlot: SharedSlot | undefined;
    const transfer: ArrayBuffer[] = [];
    if ("slot" in written) {
      const { slot, length } = written;
      const fresh = this.knownRows.get(slot.id) !== slot.buffer;
      rows = { slot: slot.id, length, ...(fresh ? { buffer: slot.buffer } : {}) };
      this.knownRows.set(slot.id, slot.buffer);
      rowSlot = slot;
    } else {
      rows = written; // bytes of its own, moved to the worker
      transfer.push(written.bytes.buffer as ArrayBuffer);
    }
    if (this.failure !== null || this.closed) {
      if (rowSlot !== undefined) this.rowSlots.give(rowSlot);
      throw this.failure ?? new Error("the collator pool is closed");
    }
    const message: JobMessage = { seq, rows, epoch: job.epoch, sourceNames: job.sourceNames };
    const px = job.pixels;
    if (px !== undefined) {
      // The buffer crosses once per worker (and again only when the slot grew): later jobs name the slot.
      const fresh = this.known.get(px.slot.id) !== px.slot.buffer;
      message.pixels = { slot: px.slot.id, floats: px.floats, ...(fresh ? { buffer: px.slot.buffer } : {}) };
      this.known.set(px.slot.id, px.slot.buffer);
    }
    return new Promise<JobResult>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, view, rows: rowSlot });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage(message, transfer);
    });
  }

  private settle(message: ResultMessage): void {
    const waiter = this.pending.get(message.seq);
    if (waiter === undefined) return;
    this.pending.delete(message.seq);
    if (waiter.rows !== undefined) this.rowSlots.give(waiter.rows); // the worker has read its rows
    if (this.pending.size === 0) this.worker.unref();
    if (message.error !== undefined) waiter.reject(errorFromWire(message.error));
    else {
      // Pixels written into the shared slot come back as a name only: this thread's view of the slot.
      const batch = message.inSlot && waiter.view !== undefined ? { ...message.batch, pixels: waiter.view } : message.batch;
      waiter.resolve({ batch, stats: message.stats });
    }
  }

  private fail(error: Error): void {
    if (this.closed && this.pending.size === 0) return;
    this.failure ??= error;
    for (const waiter of this.pending.values()) {
      if (waiter.rows !== undefined) this.rowSlots.give(waiter.rows); // the worker has stopped: nobody reads them
      waiter.reject(this.failure);
    }
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const held = [...this.pending.values()];
    for (const waiter of held) waiter.reject(new Error("the collator pool was closed with this batch unfinished"));
    this.pending.clear();
    await this.worker.terminate();
    for (const waiter of held) if (waiter.rows !== undefined) this.rowSlots.give(waiter.rows);
  }
}
