import { parentPort, workerData } from "node:worker_threads";
import { readFilesSync } from "./read-files-sync.js";
import { SyncImageRootGuard } from "./sync-guard.js";
import type { FileReply, FileRequest } from "./file-thread.js";

// The file thread of one reader: reads each request's files into a shared slot, which the reader copies out of
// and then hands back (`released` of a later request).
const port = parentPort;
if (port === null) throw new Error("the file thread must run as a worker thread");
const { guardRoot } = workerData as { guardRoot: string | null };
const guard = guardRoot === null ? null : new SyncImageRootGuard(guardRoot);
const slots: SharedArrayBuffer[] = [];
const free: number[] = [];

port.on("message", (request: FileRequest) => {
  for (const slot of request.released) free.push(slot);
  let slot = -1;
  try {
    const { total, outcomes } = readFilesSync(request.paths, guard, (size) => {
      slot = free.pop() ?? slots.length;
      // A slot grows to the largest batch it has held, with room to spare so that it rarely grows again.
      if ((slots[slot]?.byteLength ?? -1) < size) slots[slot] = new SharedArrayBuffer(Math.ceil(size * 1.25));
      return slots[slot] as SharedArrayBuffer;
    });
    port.postMessage({ id: request.id, slot, buffer: slots[slot] as SharedArrayBuffer, total, outcomes } satisfies FileReply);
  } catch (error) {
    if (slot >= 0) free.push(slot);
    port.postMessage({ id: request.id, failure: String((error as Error)?.stack ?? error) } satisfies FileReply);
  }
});
