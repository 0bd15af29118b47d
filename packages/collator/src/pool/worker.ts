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

port.on("message", (job: JobMessage) => {
  void (async () => {
    let reply: ResultMessage;
    let transfer: ArrayBuffer[] = [];
    try {
      const { batch, stats } = await core.run(batchFromBytes(job.bytes), job.epoch, job.sourceNames);
      reply = { seq: job.seq, batch, stats };
      transfer = transferables(batch);
    } catch (error) {
      reply = { seq: job.seq, error: errorToWire(error) };
    }
    port.postMessage(reply, transfer);
  })();
});
