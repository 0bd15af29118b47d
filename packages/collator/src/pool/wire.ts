import { RecordBatchStreamWriter, Table, tableFromIPC } from "apache-arrow";
import type { RecordBatch } from "apache-arrow";
import * as errors from "@cotrain/core";
import type { Batch } from "../batch.js";
import type { SharedSlot, SharedSlots } from "./shared-slots.js";

/**
 * A RecordBatch as Arrow IPC stream bytes, written into a shared slot (memory reused batch after batch) or, when
 * none is free, into bytes of its own. The writer's pieces are views of the batch's own buffers plus the message
 * headers; they are copied once, straight to where they go.
 */
export async function batchToWire(batch: RecordBatch, slots: SharedSlots): Promise<{ slot: SharedSlot; length: number } | { bytes: Uint8Array }> {
  const pieces: Uint8Array[] = [];
  let length = 0;
  for await (const piece of RecordBatchStreamWriter.writeAll(new Table(batch))) {
    pieces.push(piece);
    length += piece.byteLength;
  }
  const slot = slots.take(length);
  const target = slot === undefined ? new Uint8Array(length) : new Uint8Array(slot.buffer, 0, length);
  let at = 0;
  for (const piece of pieces) {
    target.set(piece, at);
    at += piece.byteLength;
  }
  return slot === undefined ? { bytes: target } : { slot, length };
}

export function batchFromBytes(bytes: Uint8Array): RecordBatch {
  const batches = tableFromIPC(bytes).batches;
  if (batches.length !== 1) throw new Error(`expected one record batch in the job, got ${batches.length}`);
  return batches[0] as RecordBatch;
}

/**
 * The buffers of a Batch's typed arrays that can move between threads without a copy: only whole buffers (a view
 * into a shared slab, such as Node's small-Buffer pool, would detach its neighbours) and each buffer once.
 */
export function transferables(batch: Batch): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const value of Object.values(batch)) {
    if (!ArrayBuffer.isView(value)) continue;
    const buffer = value.buffer;
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength) out.add(buffer);
  }
  return [...out];
}

/** A thrown value as plain data: the class name, code and location of a CotrainError survive the thread hop. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  location?: errors.ErrorLocation;
}

export function errorToWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const wire: WireError = { name: error.name, message: error.message, ...(error.stack === undefined ? {} : { stack: error.stack }) };
  if (error instanceof errors.CotrainError) return { ...wire, code: error.code, location: error.location() };
  return wire;
}

const CLASSES: Record<string, new (...args: never[]) => Error> = {
  CotrainError: errors.CotrainError,
  FormatError: errors.FormatError,
  ChecksumError: errors.ChecksumError,
  TruncatedError: errors.TruncatedError,
  MissingError: errors.MissingError,
  ValueError: errors.ValueError,
  ImageError: errors.ImageError,
  ConfigError: errors.ConfigError,
  UnsupportedError: errors.UnsupportedError,
  StateError: errors.StateError,
  TypeError,
  RangeError,
};

/** The error again, of its own class where it is one of ours or a built-in (its message already names the place). */
export function errorFromWire(wire: WireError): Error {
  const cls = CLASSES[wire.name] ?? Error;
  const error = Object.create(cls.prototype) as Error & Record<string, unknown>;
  Object.defineProperty(error, "message", { value: wire.message, writable: true, configurable: true });
  Object.defineProperty(error, "name", { value: wire.name, writable: true, configurable: true });
  if (wire.stack !== undefined) Object.defineProperty(error, "stack", { value: wire.stack, writable: true, configurable: true });
  if (wire.code !== undefined) error.code = wire.code;
  for (const [k, v] of Object.entries(wire.location ?? {})) if (v !== undefined) error[k] = v;
  return error;
}
