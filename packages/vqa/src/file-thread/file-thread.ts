import { Worker } from "node:worker_threads";
import { allocBatchBytes, builtWorkerScript } from "@cotrain/core";
import { fsErrorFromWire } from "./read-files-sync.js";
import type { FileOutcome } from "./read-files-sync.js";

/** A batch's files to read; `released`: the slots the reader has copied out of since its last request. */
export interface FileRequest {
  id: number;
  paths: readonly string[];
  released: number[];
}
export type FileReply = { id: number; slot: number; buffer: SharedArrayBuffer; total: number; outcomes: FileOutcome[] } | { id: number; failure: string };

/** One file as the reader gets it: its bytes, Node's error, or the real path outside the image root it leads to. */
export type ThreadFile = Uint8Array | NodeJS.ErrnoException | { outside: string };

/**
 * A reader's own thread for its image files (`fileThread` option). On the reader's thread each asynchronous file
 * call costs a round trip through libuv's pool (queue, futex wake, completion callback): for 640×480 JPEGs, four
 * calls per file (lstat, open, read, close) kept the LLaVA reader's thread busy about a second per 20,000 samples
 * in those calls. Here a batch's files cost one message each way: the thread checks them against the image root,
 * sizes and reads them with blocking calls into a shared buffer of its own (a slot, reused), and the reader copies
 * them into one buffer of the batch (allocBatchBytes, which the Arrow image column adopts) and hands the slot back
 * with its next request.
 *
 * Why the copy: a buffer made by the file thread and transferred counted against the reader's V8 heap as external
 * memory and set off a full collection every few batches, and so did one the reader made, moved to the thread and
 * back; a new SharedArrayBuffer per batch, adopted as it is, set off none, so nothing reclaimed those buffers in
 * time (peak RSS 953 MiB). Measurements in the README.
 *
 * Started on the first read; it does not keep the process alive while idle. The reader stops it at the end of its
 * data and on close(), and a reader dropped without close() stops it when collected (`stopWhenCollected`).
 */
export class FileThread {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (reply: FileReply) => void; reject: (error: Error) => void }>();
  private released: number[] = [];

  /** guardRoot: the image root whose real path every file must stay inside (ImageRootGuard), or null. */
  constructor(private readonly guardRoot: string | null) {}

  /** The files in order, each its bytes (views into one buffer), its error, or its refusal. */
  async read(paths: readonly string[]): Promise<ThreadFile[]> {
    const worker = this.start();
    const id = this.nextId++;
    const released = this.released;
    this.released = [];
    const reply = await new Promise<FileReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref(); // a read in flight keeps the process alive until it is answered
      worker.postMessage({ id, paths, released } satisfies FileRequest);
    });
    if ("failure" in reply) throw new Error(`the reader's file thread failed: ${reply.failure}`);
    const bytes = allocBatchBytes(reply.total);
    bytes.set(new Uint8Array(reply.buffer, 0, reply.total));
    this.released.push(reply.slot);
    return reply.outcomes.map((o): ThreadFile => ("offset" in o ? bytes.subarray(o.offset, o.offset + o.length) : "own" in o ? o.own : "outside" in o ? { outside: o.outside } : fsErrorFromWire(o.error)));
  }

  /** Ends the thread (its descriptors with it); reads in flight fail. A later read starts a new one. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (worker === null) return;
    this.worker = null;
    this.released = []; // the slots were that thread's
    this.failAll(new Error("the reader's file thread was stopped with this read unfinished"));
    await worker.terminate();
  }

  private start(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = new Worker(builtWorkerScript(import.meta.url, "./worker.js"), { workerData: { guardRoot: this.guardRoot } });
    worker.unref();
    worker.on("message", (reply: FileReply) => this.settle(reply));
    worker.on("error", (error) => this.lost(worker, error));
    worker.on("exit", (code) => this.lost(worker, new Error(`the reader's file thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: FileReply): void {
    const waiter = this.pending.get(reply.id);
    if (waiter === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    waiter.resolve(reply);
  }

  /** The thread died (a crash, or killed): its reads fail; the next read starts a new one. */
  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.released = []; // the slots were that thread's
    this.failAll(error);
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

const dropped = new FinalizationRegistry<FileThread>((files) => void files.stop());

/** Stops `files` once `owner` (the reader a user holds) is garbage collected, so a dropped reader leaves no thread. */
export function stopWhenCollected(owner: object, files: FileThread): void {
  dropped.register(owner, files);
}
