import { stat } from "node:fs/promises";
import { ChecksumError, CotrainError, FormatError, TruncatedError, isRemote, openByteSource } from "@cotrain/core";
import type { ByteSource } from "@cotrain/core";
import { maskedCrc32c } from "./crc.js";

/** Bytes of framing around each record: uint64 length, uint32 masked CRC of the length; uint32 masked CRC of the data. */
export const HEADER_BYTES = 12;
export const FOOTER_BYTES = 4;
/** Records larger than this are taken as a corrupt length field rather than allocated (TFRecord has no limit, RLDS episodes are MBs). */
const MAX_RECORD_BYTES = 2 ** 31 - 1;

export interface TFRecord {
  /** The record's bytes (a view into a buffer owned by this record alone). */
  data: Uint8Array;
  /** Byte offset of the record's header in the file. */
  offset: number;
  /** Byte offset of the next record's header. */
  next: number;
}

/**
 * One TFRecord file, read record by record with positioned reads: memory holds one record at a time whatever the
 * file size, and any record can be read directly at a known offset (which is what makes resuming cheap).
 * `index` arguments only label errors (record number in the file, 0-based).
 *
 * The bytes come from core's `openByteSource`: locally a RandomAccessFile (`close()` is idempotent, and a file
 * dropped without it, a source abandoned mid-shard, is closed when collected, without Node's DEP0137 warning for a
 * collected FileHandle); for a URL a RemoteFile, whose blocks are fetched by range into the on-disk cache.
 */
export class TFRecordFile {
  private constructor(private readonly file: ByteSource) {}

  static async open(path: string): Promise<TFRecordFile> {
    // A folder opens like a file on Linux and fails only at its first read, as a bare EISDIR: refused here instead.
    if (!isRemote(path) && (await stat(path)).isDirectory()) throw Object.assign(new Error(`EISDIR: ${path} is a folder, not a TFRecord file`), { code: "EISDIR" });
    return new TFRecordFile(await openByteSource(path));
  }

  get path(): string {
    return this.file.path;
  }

  get size(): number {
    return this.file.size;
  }

  /** The record whose header starts at `offset`, or null when `offset` is exactly the end of the file. */
  async readRecord(offset: number, index: number): Promise<TFRecord | null> {
    const length = await this.readHeader(offset, index);
    if (length === null) return null;
    return { data: await this.readBody(offset, length, index), offset, next: offset + HEADER_BYTES + length + FOOTER_BYTES };
  }

  /**
   * The data length announced by the header at `offset` (its CRC checked), or null at the exact end of the file.
   * Once a header is good, the next record's offset is known even if this record's data turns out corrupt.
   */
  async readHeader(offset: number, index: number): Promise<number | null> {
    const header = Buffer.alloc(HEADER_BYTES);
    const bytesRead = await this.file.read(header, 0, HEADER_BYTES, offset);
    if (bytesRead === 0) return null;
    if (bytesRead < HEADER_BYTES) {
      throw new TruncatedError("TFRECORD_TRUNCATED", `record ${index}: the file ends ${bytesRead} bytes into the 12-byte header`, { file: this.path, offset, row: index, field: "length" });
    }
    const length = headerLength(header);
    if (length === "crc") {
      const stored = header.readUInt32LE(8);
      const actual = maskedCrc32c(header.subarray(0, 8));
      throw new ChecksumError("TFRECORD_LENGTH_CRC", `record ${index}: the length's masked CRC32C is ${hex(actual)}, the file stores ${hex(stored)}`, { file: this.path, offset, row: index, field: "length" });
    }
    if (length > MAX_RECORD_BYTES) {
      throw new FormatError("TFRECORD_LENGTH", `record ${index} announces ${length} bytes, more than the ${MAX_RECORD_BYTES} this reader accepts`, { file: this.path, offset, row: index, field: "length" });
    }
    // Checked before any buffer is sized by it: a length CRC only proves the field was written, not that it is true.
    if (!this.fits(offset, length)) {
      throw new TruncatedError("TFRECORD_TRUNCATED", `record ${index} announces ${length} bytes (+4 of CRC) but the file ends ${this.size - offset - HEADER_BYTES} bytes after its header`, { file: this.path, offset, row: index, field: "data" });
    }
    return length;
  }

  /** Whether a record of `length` data bytes whose header starts at `offset` ends within the file. */
  private fits(offset: number, length: number): boolean {
    return offset + HEADER_BYTES + length + FOOTER_BYTES <= this.size;
  }

  /**
   * The `length` data bytes of the record whose header starts at `offset`, their CRC checked. They are read into
   * `into` (at least `length + FOOTER_BYTES` bytes, see RecordBuffers) when given, else into a new buffer.
   */
  async readBody(offset: number, length: number, index: number, into?: Uint8Array): Promise<Uint8Array> {
    return (await this.readBodyAndPeek(offset, length, index, 0, into)).data;
  }

  /**
   * readBody, also reading the next record's header in the same call (`into`, when given, must hold
   * `length + FOOTER_BYTES + HEADER_BYTES`), so that a reader going record after record makes one read per record
   * instead of two: each read waits for the thread pool and a turn of the event loop. `next` is the length that
   * header announces, null when this record ends the file exactly, and undefined when the header is short, corrupt
   * or announces more than the file holds: `readHeader` then reads it again and raises the error itself, as it would have without peeking.
   */
  async readBodyAndNext(offset: number, length: number, index: number, into?: Uint8Array): Promise<{ data: Uint8Array; next: number | null | undefined }> {
    return this.readBodyAndPeek(offset, length, index, HEADER_BYTES, into);
  }

  private async readBodyAndPeek(offset: number, length: number, index: number, peek: number, into?: Uint8Array): Promise<{ data: Uint8Array; next: number | null | undefined }> {
    const available = this.size - offset - HEADER_BYTES;
    const size = Math.max(0, Math.min(length + FOOTER_BYTES + peek, available));
    if (into !== undefined && into.byteLength < length + FOOTER_BYTES + peek) throw new RangeError(`need ${length + FOOTER_BYTES + peek} bytes to read record ${index} into, got ${into.byteLength}`);
    const body = into === undefined ? Buffer.allocUnsafe(size) : Buffer.from(into.buffer, into.byteOffset, size);
    const bytesRead = await this.file.read(body, 0, body.length, offset + HEADER_BYTES);
    if (bytesRead < length + FOOTER_BYTES) {
      throw new TruncatedError("TFRECORD_TRUNCATED", `record ${index} announces ${length} bytes (+4 of CRC) but the file ends ${bytesRead} bytes after its header`, { file: this.path, offset, row: index, field: "data" });
    }
    const data = body.subarray(0, length);
    const stored = body.readUInt32LE(length);
    const actual = maskedCrc32c(data);
    if (actual !== stored) {
      throw new ChecksumError("TFRECORD_DATA_CRC", `record ${index}: the data's masked CRC32C is ${hex(actual)}, the file stores ${hex(stored)}`, { file: this.path, offset, row: index, field: "data" });
    }
    if (peek === 0) return { data, next: undefined };
    const nextAt = length + FOOTER_BYTES;
    if (offset + HEADER_BYTES + nextAt === this.size) return { data, next: null };
    if (bytesRead < nextAt + HEADER_BYTES) return { data, next: undefined };
    const next = headerLength(body.subarray(nextAt, nextAt + HEADER_BYTES));
    return { data, next: next === "crc" || next > MAX_RECORD_BYTES || !this.fits(offset + HEADER_BYTES + nextAt, next) ? undefined : next };
  }

  /**
   * The header offsets of the file's records, reading only the 12-byte headers (and checking their CRCs), so the
   * records can be visited in any order without reading their data twice. A broken header or a truncated last
   * record ends the scan: the offsets before it are returned with the error.
   */
  async scanOffsets(): Promise<{ offsets: number[]; error: CotrainError | null }> {
    const offsets: number[] = [];
    for (let at = 0, index = 0; ; index++) {
      let length: number | null;
      try {
        length = await this.readHeader(at, index);
      } catch (error) {
        if (error instanceof CotrainError) return { offsets, error };
        throw error;
      }
      if (length === null) return { offsets, error: null };
      offsets.push(at);
      at += HEADER_BYTES + length + FOOTER_BYTES; // within the file: readHeader checked it
    }
  }

  close(): Promise<void> {
    return this.file.close();
  }
}

/** Every record of a file in order, from `offset` (a record boundary) on. */
export async function* readTFRecords(path: string, offset = 0, firstIndex = 0): AsyncGenerator<TFRecord & { index: number }> {
  const file = await TFRecordFile.open(path);
  try {
    for (let at = offset, index = firstIndex; ; index++) {
      const record = await file.readRecord(at, index);
      if (record === null) return;
      yield { ...record, index };
      at = record.next;
    }
  } finally {
    await file.close();
  }
}

/** The length a 12-byte header announces, or "crc" when its length CRC does not match. */
function headerLength(header: Buffer): number | "crc" {
  if (header.readUInt32LE(8) !== maskedCrc32c(header.subarray(0, 8))) return "crc";
  return header.readUInt32LE(0) + header.readUInt32LE(4) * 2 ** 32;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
