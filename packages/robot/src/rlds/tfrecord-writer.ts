import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { maskedCrc32c } from "./crc.js";
import { FOOTER_BYTES, HEADER_BYTES } from "./tfrecord-reader.js";

/** The 12-byte header of a record of `length` bytes: uint64 length (little-endian) and its masked CRC32C. */
export function recordHeader(length: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32LE(length >>> 0, 0);
  header.writeUInt32LE(Math.floor(length / 2 ** 32), 4);
  header.writeUInt32LE(maskedCrc32c(header.subarray(0, 8)), 8);
  return header;
}

/** The 4-byte footer of a record: the masked CRC32C of its data. */
export function recordFooter(data: Uint8Array): Buffer {
  const footer = Buffer.alloc(FOOTER_BYTES);
  footer.writeUInt32LE(maskedCrc32c(data), 0);
  return footer;
}

/** One whole framed record (header, data, footer) in one buffer. */
export function frameRecord(data: Uint8Array): Buffer {
  return Buffer.concat([recordHeader(data.length), data, recordFooter(data)]);
}

/** Appends framed records to a new file. The caller names a temporary path and renames it when done. */
export class TFRecordWriter {
  private position = 0;
  private count = 0;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(path: string): Promise<TFRecordWriter> {
    return new TFRecordWriter(path, await open(path, "w"));
  }

  /** Writes one record; returns the byte offset of its header. */
  async write(data: Uint8Array): Promise<number> {
    const at = this.position;
    const size = HEADER_BYTES + data.length + FOOTER_BYTES;
    const { bytesWritten } = await this.handle.writev([recordHeader(data.length), data, recordFooter(data)], at);
    if (bytesWritten !== size) throw new Error(`${this.path}: wrote ${bytesWritten} of ${size} bytes of record ${this.count} (disk full?)`);
    this.position += size;
    this.count++;
    return at;
  }

  /** Records written so far. */
  get records(): number {
    return this.count;
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.position;
  }

  /** Flushes to disk and closes the file. */
  async close(): Promise<void> {
    try {
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
  }
}
