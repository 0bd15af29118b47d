import { createHash } from "node:crypto";
import { RecordBatch, RecordBatchStreamWriter, Table, tableFromIPC } from "apache-arrow";

/** A batch as Arrow IPC stream bytes: the byte-exact form used to compare streams across processes. */
export function batchToIpc(batch: RecordBatch): Uint8Array {
  const writer = new RecordBatchStreamWriter();
  writer.write(batch);
  writer.finish();
  return writer.toUint8Array(true);
}

export function batchFromIpc(bytes: Uint8Array): RecordBatch {
  const table: Table = tableFromIPC(bytes);
  const batch = table.batches[0];
  if (batch === undefined || table.batches.length !== 1) throw new RangeError(`expected one batch in IPC bytes, got ${table.batches.length}`);
  return batch;
}

/** sha256 of a batch's IPC bytes. */
export function fingerprint(batch: RecordBatch): string {
  return createHash("sha256").update(batchToIpc(batch)).digest("hex");
}
