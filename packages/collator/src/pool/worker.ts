// The collator pool's worker thread: builds the collator from portable options once, then collates the batches it
// is sent and moves each result back without copying its typed arrays.
import { parentPort, workerData } from "node:worker_threads";
import { configureDecoding } from "@cotrain/vision";
import type { DecodePlan } from "@cotrain/vision";
import { createCollateCore } from "../collate-core.js";
import { fromPortable } from "./portable.js";
import type { PortableCollatorOptions } from "./portable.js";
import { batchFromBytes, errorToWire, transferables } from "./wire.js";
import type { JobMessage, ResultMessage } from "./messages.js";

const { options, decode } = workerData as { options: PortableCollatorOptions; decode: DecodePlan };
configureDecoding(decode);
const core = createCollateCore(fromPortable(options));
const port = parentPort;
if (port === null) throw new Error("the collator worker must run in a worker thread");

const slots = new Map<number, SharedArrayBuffer>(); // pixel slots
const rowSlots = new Map<number, SharedArrayBuffer>();

/** A job's rows: views into a shared row slot (read before the reply, which frees the slot), or moved bytes. */
function rowsOf(job: JobMessage): Uint8Array {
  const rows = job.rows;
  if ("bytes" in rows) return rows.bytes;
  if (rows.buffer !== undefined) rowSlots.set(rows.slot, rows.buffer);
  const buffer = rowSlots.get(rows.slot);
  if (buffer === undefined) throw new Error(`row slot ${rows.slot} was never sent to this worker`);
  return new Uint8Array(buffer, 0, rows.length);
}

port.on("message", (job: JobMessage) => {
  void (async () => {
    let reply: ResultMessage;
    let transfer: ArrayBuffer[] = [];
    try {
      let view: Float32Array | undefined;
      if (job.pixels !== undefined) {
        if (job.pixels.buffer !== undefined) slots.set(job.pixels.slot, job.pixels.buffer);
        const buffer = slots.get(job.pixels.slot);
        if (buffer === undefined) throw new Error(`pixel slot ${job.pixels.slot} was never sent to this worker`);
        view = new Float32Array(buffer, 0, job.pixels.floats);
      }
      const { batch, stats } = await core.run(batchFromBytes(rowsOf(job)), job.epoch, job.sourceNames, view);
      const inSlot = view !== undefined && batch.pixels === view;
      // In the slot, the main thread already sees the pixels: send none back.
      reply = { seq: job.seq, batch: inSlot ? { ...batch, pixels: new Float32Array(0) } : batch, stats, inSlot };
      transfer = transferables(reply.batch);
    } catch (error) {
      reply = { seq: job.seq, error: errorToWire(error) };
    }
    port.postMessage(reply, transfer);
  })();
});
