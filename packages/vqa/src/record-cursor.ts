import type { ErrorLocation, JsonValue, Message } from "@cotrain/core";
import type { ImageRef } from "./image-load.js";

/** One record in file order: its index (what sharding counts), where it is (for errors) and its raw value. */
export interface RawRecord<T> {
  index: number;
  where: ErrorLocation;
  value: T;
}

/**
 * A format's reader of raw records, in file order. `position()` names the next record `next()` would return, as
 * small JSON (byte offset, row number); `seek` takes such a position and is applied lazily by the next `next()`.
 */
export interface RecordCursor<T> {
  next(): Promise<RawRecord<T> | null>;
  position(): JsonValue;
  seek(position: JsonValue): void;
  rewind(): void;
  close(): Promise<void>;
  /** For `describe()`: the format ("llava") and what is read (a path, with a file count). */
  readonly kind: string;
  readonly label: string;
}

/** A record parsed and checked, before its images are read: what a canonical VQA row is built from. */
export interface ParsedSample {
  id: string;
  messages: Message[];
  images: ImageRef[];
}
