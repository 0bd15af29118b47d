import { createHash } from "node:crypto";
import type { Batch } from "./batch.js";

/**
 * sha256 over every field of a Batch (typed arrays by their bytes, the rest as JSON, in a fixed field order): two
 * batches have the same fingerprint exactly when a model would see the same thing. For determinism checks across
 * processes, worker counts and resumes.
 */
export function batchFingerprint(batch: Batch): string {
  const hash = createHash("sha256");
  for (const key of Object.keys(batch).sort() as (keyof Batch)[]) {
    const value = batch[key];
    hash.update(key);
    if (ArrayBuffer.isView(value)) {
      hash.update(value.constructor.name);
      hash.update(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    } else hash.update(JSON.stringify(value));
  }
  return hash.digest("hex");
}
