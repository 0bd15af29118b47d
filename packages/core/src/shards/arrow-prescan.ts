import { FormatError } from "../errors.js";
import type { ByteSource } from "../files/byte-source.js";

/**
 * Walks an Arrow IPC stream's messages before apache-arrow decodes them, checking every length its flatbuffer
 * metadata gives against the bytes there are. Why: Arrow JS trusts them; a corrupt vector length in a record batch
 * header (its field nodes or buffers) makes it build billions of objects until the process runs out of memory, and
 * a corrupt body length sends it reading past the file. Reads only each message's prefix and metadata (a few
 * hundred bytes per batch), not the bodies. Raises FormatError SHARD_ARROW_UNREADABLE naming the file, the byte
 * offset of the message and the rows before it.
 *
 * The flatbuffer layout (Arrow's Message.fbs / Schema.fbs) is read by hand, bounds checked at every step: a table
 * starts with a signed offset to its vtable, whose entries give each field's offset in the table; vectors and
 * strings are a length followed by their elements.
 */
export async function prescanArrowStream(file: ByteSource, path: string): Promise<void> {
  let at = 0;
  let rows = 0;
  const prefix = new Uint8Array(8);
  while (at < file.size) {
    const fail = (why: string): never => {
      throw new FormatError("SHARD_ARROW_UNREADABLE", `Arrow IPC message at byte ${at}: ${why}`, { file: path, offset: at, row: rows });
    };
    const got = await file.read(prefix, 0, 8, at);
    if (got < 4) fail("the stream ends inside a message prefix");
    const view = new DataView(prefix.buffer);
    const continued = view.getUint32(0, true) === 0xffffffff;
    if (continued && got < 8) fail("the stream ends inside a message prefix");
    const length = continued ? view.getInt32(4, true) : view.getInt32(0, true);
    const head = continued ? 8 : 4;
    if (length === 0) return; // end of stream: Arrow reads no further
    if (length < 0 || at + head + length > file.size) fail(`metadata of ${length} bytes where ${file.size - at - head} remain`);
    const meta = new Uint8Array(length);
    if ((await file.read(meta, 0, length, at + head)) !== length) fail("the metadata is cut short");
    let message: MessageInfo;
    try {
      message = readMessage(meta);
    } catch (error) {
      return fail((error as Error).message);
    }
    const bodyAt = at + head + length;
    if (message.bodyLength > file.size - bodyAt) fail(`a body of ${message.bodyLength} bytes where ${file.size - bodyAt} remain`);
    rows += message.rows;
    at = bodyAt + message.bodyLength;
  }
}

interface MessageInfo {
  bodyLength: number;
  /** Rows of a record batch (0 for other messages), for the position of a later error. */
  rows: number;
}

/** Message { version: short, header_type: ubyte, header: union, bodyLength: long, custom_metadata: [KeyValue] }. */
function readMessage(bytes: Uint8Array): MessageInfo {
  const fb = new Flatbuffer(bytes);
  const message = fb.table(fb.u32(0), "message");
  const type = fb.field(message, 1, 1) === null ? 0 : fb.u8(fb.field(message, 1, 1) as number);
  const header = fb.tableField(message, 2);
  const bodyLength = fb.field(message, 3, 8) === null ? 0 : fb.i64(fb.field(message, 3, 8) as number);
  if (!(bodyLength >= 0)) throw new RangeError(`body length ${bodyLength}`);
  keyValues(fb, message, 4);
  let rows = 0;
  if (header !== null) {
    if (type === 1) schema(fb, header);
    else if (type === 3) rows = recordBatch(fb, header);
    else if (type === 2) {
      const data = fb.tableField(header, 1);
      if (data !== null) recordBatch(fb, data);
    }
  }
  return { bodyLength, rows };
}

/** RecordBatch { length: long, nodes: [FieldNode: 16 bytes], buffers: [Buffer: 16 bytes], compression, variadicBufferCounts: [long] }. */
function recordBatch(fb: Flatbuffer, table: number): number {
  const length = fb.field(table, 0, 8) === null ? 0 : fb.i64(fb.field(table, 0, 8) as number);
  if (!(length >= 0)) throw new RangeError(`record batch length ${length}`);
  fb.vector(table, 1, 16);
  fb.vector(table, 2, 16);
  fb.tableField(table, 3);
  fb.vector(table, 4, 8);
  return length;
}

/** Schema { endianness, fields: [Field], custom_metadata: [KeyValue], features: [long] }. */
function schema(fb: Flatbuffer, table: number): void {
  fields(fb, table, 1, 0);
  keyValues(fb, table, 2);
  fb.vector(table, 3, 8);
}

/** Field { name: string, nullable, type_type, type: union, dictionary: table, children: [Field], custom_metadata }, nested. */
function fields(fb: Flatbuffer, table: number, slot: number, depth: number): void {
  if (depth > 64) throw new RangeError("fields nested deeper than 64 levels");
  const vector = fb.vector(table, slot, 4);
  if (vector === null) return;
  for (let i = 0; i < vector.length; i++) {
    const field = fb.table(vector.start + 4 * i + fb.u32(vector.start + 4 * i), "field");
    fb.string(field, 0);
    fb.tableField(field, 3);
    fb.tableField(field, 4);
    fields(fb, field, 5, depth + 1);
    keyValues(fb, field, 6);
  }
}

/** [KeyValue { key: string, value: string }]. */
function keyValues(fb: Flatbuffer, table: number, slot: number): void {
  const vector = fb.vector(table, slot, 4);
  if (vector === null) return;
  for (let i = 0; i < vector.length; i++) {
    const kv = fb.table(vector.start + 4 * i + fb.u32(vector.start + 4 * i), "key-value");
    fb.string(kv, 0);
    fb.string(kv, 1);
  }
}

/** Bounds-checked reads of a flatbuffer (little-endian). Every position is checked before it is read. */
class Flatbuffer {
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private check(at: number, size: number, what: string): void {
    if (!(Number.isInteger(at) && at >= 0 && at + size <= this.bytes.length)) throw new RangeError(`${what} at ${at} (+${size}) outside the ${this.bytes.length}-byte metadata`);
  }

  u8(at: number): number {
    this.check(at, 1, "a byte");
    return this.view.getUint8(at);
  }

  u32(at: number): number {
    this.check(at, 4, "an offset");
    return this.view.getUint32(at, true);
  }

  i64(at: number): number {
    this.check(at, 8, "a long");
    return Number(this.view.getBigInt64(at, true));
  }

  /** A table at `at`: its vtable checked; returns `at`. */
  table(at: number, what: string): number {
    this.check(at, 4, `a ${what} table`);
    const vtable = at - this.view.getInt32(at, true);
    this.check(vtable, 4, `a ${what} vtable`);
    const size = this.view.getUint16(vtable, true);
    if (size < 4 || size % 2 !== 0) throw new RangeError(`a ${what} vtable of ${size} bytes`);
    this.check(vtable, size, `a ${what} vtable`);
    this.check(at, this.view.getUint16(vtable + 2, true), `a ${what} table`);
    return at;
  }

  /** The position of field `slot` of the table at `table` (`size` bytes checked), or null when absent. */
  field(table: number, slot: number, size: number): number | null {
    const vtable = table - this.view.getInt32(table, true);
    const entry = 4 + 2 * slot;
    if (entry + 2 > this.view.getUint16(vtable, true)) return null;
    const offset = this.view.getUint16(vtable + entry, true);
    if (offset === 0) return null;
    this.check(table + offset, size, `field ${slot}`);
    return table + offset;
  }

  /** The table a field points to, checked, or null. */
  tableField(table: number, slot: number): number | null {
    const at = this.field(table, slot, 4);
    return at === null ? null : this.table(at + this.u32(at), `field ${slot}`);
  }

  /** A vector field: its elements (`elementSize` bytes each) must lie within the metadata. */
  vector(table: number, slot: number, elementSize: number): { start: number; length: number } | null {
    const at = this.field(table, slot, 4);
    if (at === null) return null;
    const vector = at + this.u32(at);
    const length = this.u32(vector);
    this.check(vector + 4, length * elementSize, `a vector of ${length} elements`);
    return { start: vector + 4, length };
  }

  string(table: number, slot: number): void {
    this.vector(table, slot, 1);
  }
}
