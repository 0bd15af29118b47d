import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { RecordBatch } from "apache-arrow";
import type { DecodePlan } from "@cotrain/vision";
import type { Batch } from "../batch.js";
import type { CollateCore } from "../collate-core.js";
import type { CollatorStats } from "../stats.js";
import type { JobMessage, ResultMessage } from "./messages.js";
import type { PortableCollatorOptions } from "./portable.js";
import { batchToBytes, errorFromWire } from "./wire.js";

export interface Job {
  batch: RecordBatch;
  epoch: number;
  sourceNames: string[];
}

export type JobResult = { batch: Batch; stats: CollatorStats };

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
      return await this.core.run(job.batch, job.epoch, job.sourceNames);
    } finally {
      this.active--;
    }
  }

  async close(): Promise<void> {}
}

export class WorkerLane implements Lane {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: JobResult) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private failure: Error | null = null;
  private closed = false;

  constructor(options: PortableCollatorOptions, decode: DecodePlan) {
    this.worker = new Worker(workerFile(), { workerData: { options, decode } });
    this.worker.unref(); // an idle pool never keeps the process alive; a lane with jobs holds it (see run)
    this.worker.on("message", (message: ResultMessage) => this.settle(message));
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new Error(`a collator worker thread exited (code ${code}) with ${this.pending.size} batch(es) unfinished`)));
  }

  get active(): number {
    return this.pending.size;
  }

  run(job: Job): Promise<JobResult> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error("the collator pool is closed"));
    const seq = this.seq++;
    const bytes = batchToBytes(job.batch);
    const message: JobMessage = { seq, bytes, epoch: job.epoch, sourceNames: job.sourceNames };
    return new Promise<JobResult>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
      this.worker.postMessage(message, whole ? [bytes.buffer as ArrayBuffer] : []);
    });
  }

  private settle(message: ResultMessage): void {
    const waiter = this.pending.get(message.seq);
    if (waiter === undefined) return;
    this.pending.delete(message.seq);
    if (this.pending.size === 0) this.worker.unref();
    if (message.error !== undefined) waiter.reject(errorFromWire(message.error));
    else waiter.resolve({ batch: message.batch, stats: message.stats });
  }

  private fail(error: Error): void {
    if (this.closed && this.pending.size === 0) return;
    this.failure ??= error;
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.pending.values()) waiter.reject(new Error("the collator pool was closed with this batch unfinished"));
    this.pending.clear();
    await this.worker.terminate();
  }
}

/**
 * The built worker script. Under the test runner this module runs from its TypeScript source, where there is no
 * worker.js beside it: the worker then runs the built copy in dist/ (`npm test` builds first).
 */
function workerFile(): URL {
  const here = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = new URL(here.href.replace(/\/src\/pool\/worker\.js$/, "/dist/pool/worker.js"));
  if (!existsSync(fileURLToPath(built))) throw new Error(`the collator worker script is missing (${fileURLToPath(built)}): build @cotrain/collator first (npm run build)`);
  return built;
}
