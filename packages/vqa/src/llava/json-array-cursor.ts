import { statSync } from "node:fs";
import { Tokenizer, TokenParser, TokenType } from "@streamparser/json";
import { FormatError, StateError, TruncatedError, isCotrainError, isInt, isRemote, openByteSource, stateField } from "@cotrain/core";
import type { ByteSource, JsonValue } from "@cotrain/core";
import type { RawRecord, RecordCursor } from "../record-cursor.js";

const CHUNK = 1 << 18;
const OPEN_BRACKET = new Uint8Array([0x5b]);

interface Parsed {
  /** First byte after the separator (`[` or `,`) that precedes the entry: where a resumed parse starts. */
  start: number;
  /** First byte of the entry's value itself, for error messages. */
  at: number;
  value: unknown;
}

/**
 * Streams the elements of a top-level JSON array from a file with @streamparser/json, in chunks of 256 KiB, so
 * memory is bounded by one chunk plus the elements not yet taken, never the file.
 *
 * Position = `{entry, offset}`: the index of the next element and the byte offset of the region holding it (just
 * after the `[` or `,` before it; for the end of the array, the offset of the closing `]`). A seek opens the file
 * at that offset and feeds the parser a synthetic `[` first, so resuming costs nothing but the read of the rest:
 * the bytes before the offset are never read again. To always know the next element's offset, the cursor keeps
 * one parsed element of look-ahead (or knows the array has closed).
 *
 * Malformed JSON is a FormatError with the file's byte offset; it is never skippable, since a streaming parser
 * cannot find the next element after a syntax error.
 *
 * File lifetime: the file is opened by the first `next()` and closed at the end of the array, on an error, by
 * `close()`, or (a cursor dropped mid-file) when the RandomAccessFile is garbage-collected, without DEP0137.
 *
 * A URL is read through core's remote layer in the same chunks (ranged block reads under the on-disk cache). Its
 * size is known only once it is opened (a HEAD), so a state saved for a different size is refused by the first
 * `next()` after `seek()` rather than by `seek()` itself.
 */
export class JsonArrayCursor implements RecordCursor<unknown> {
  readonly kind = "llava";
  /** Null until a remote file is first opened. */
  private size: number | null;
  /** A remote file's size as a state saved it, checked when the file is opened. */
  private expectedSize: number | null = null;
  private file_: ByteSource | null = null;
  private readonly buffer = new Uint8Array(CHUNK);
  private readPos = 0;
  private delta = 0; // file offset = parser stream offset + delta
  private tokenizer: Tokenizer | null = null;
  private queue: Parsed[] = [];
  private head = 0;
  private depth = 0;
  private regionStart = 0;
  private valueAt = -1;
  private closedAt = -1; // file offset of the closing `]`
  private eof = false;
  private lastToken = 0;
  private failure: unknown = null;
  private nextIndex = 0;
  private started = false;
  private finished = false; // the whole array was read and the file closed
  private pending: { entry: number; offset: number } | null = null;

  constructor(readonly file: string) {
    this.size = isRemote(file) ? null : statSync(file).size;
  }

  get label(): string {
    return this.file;
  }

  async next(): Promise<RawRecord<unknown> | null> {
    if (this.failure !== null) throw this.failure;
    try {
      if (this.pending !== null || !this.started) await this.openAt(this.pending ?? { entry: 0, offset: 0 });
      if (this.finished) return null;
      while (this.queue.length - this.head < 2 && this.closedAt < 0 && !this.eof) await this.readChunk();
      if (this.head === this.queue.length) {
        while (!this.eof) await this.readChunk(); // only whitespace may follow the closing `]`
        this.finished = true;
        return null;
      }
      const item = this.queue[this.head++] as Parsed;
      if (this.head > 1024) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      return { index: this.nextIndex++, where: { file: this.file, offset: item.at, row: this.nextIndex - 1 }, value: item.value };
    } catch (error) {
      this.failure = error;
      await this.release().catch(() => undefined); // a failed cursor holds no file; seek or rewind reopens it
      throw error;
    }
  }

  position(): JsonValue {
    if (this.pending !== null) return { entry: this.pending.entry, offset: this.pending.offset, size: this.size };
    if (!this.started) return { entry: 0, offset: 0, size: this.size };
    const item = this.queue[this.head];
    const offset = item !== undefined ? item.start : this.closedAt;
    return { entry: this.nextIndex, offset, size: this.size };
  }

  seek(position: JsonValue): void {
    const entry = stateField<number>(position, "entry", isInt, "openLlava");
    const offset = stateField<number>(position, "offset", isInt, "openLlava");
    // null: saved by a remote cursor before it opened its file (so at the start, where any size fits).
    const size = stateField<number | null>(position, "size", (v) => v === null || isInt(v), "openLlava");
    if (this.size === null) this.expectedSize = size === null ? null : size;
    else this.checkSize(size, offset);
    this.pending = { entry, offset };
    this.failure = null;
  }

  private checkSize(size: number | null, offset: number): void {
    if (size === null || this.size === null) return;
    if (size !== this.size || offset > this.size) {
      throw new StateError("LLAVA_STATE_FILE_CHANGED", `the state was saved for a ${size}-byte file at offset ${offset}; the file now has ${this.size} bytes`, { file: this.file, offset });
    }
  }

  rewind(): void {
    this.pending = { entry: 0, offset: 0 };
    this.failure = null;
  }

  /** Releases the file; a later `next()` reopens it at the current position. */
  async close(): Promise<void> {
    if (this.started && !this.finished && this.pending === null && this.failure === null) this.pending = this.position() as { entry: number; offset: number };
    await this.release();
  }

  private async release(): Promise<void> {
    const file = this.file_;
    this.file_ = null;
    await file?.close();
  }

  private async openAt(at: { entry: number; offset: number }): Promise<void> {
    await this.release();
    this.pending = null;
    this.started = true;
    this.finished = false;
    this.file_ = await openByteSource(this.file);
    if (this.size === null) {
      this.size = this.file_.size;
      this.checkSize(this.expectedSize, at.offset);
    }
    this.queue = [];
    this.head = 0;
    this.depth = 0;
    this.valueAt = -1;
    this.closedAt = -1;
    this.eof = false;
    this.nextIndex = at.entry;
    this.tokenizer = this.makeTokenizer();
    if (at.entry === 0 && at.offset === 0) {
      // A fresh start: skip a UTF-8 byte order mark ourselves, since the tokenizer does not count it in offsets.
      const bytesRead = await this.file_.read(this.buffer, 0, 3, 0);
      const bom = bytesRead === 3 && this.buffer[0] === 0xef && this.buffer[1] === 0xbb && this.buffer[2] === 0xbf;
      this.readPos = bom ? 3 : 0;
      this.delta = this.readPos;
    } else {
      this.readPos = at.offset;
      this.delta = at.offset - 1; // the synthetic `[` is stream byte 0
      this.feed(OPEN_BRACKET);
    }
  }

  private async readChunk(): Promise<void> {
    const bytesRead = await (this.file_ as ByteSource).read(this.buffer, 0, CHUNK, this.readPos);
    if (bytesRead === 0) {
      this.eof = true;
      await this.release(); // the last entries are parsed already: nothing more is read from the file
      if (this.closedAt < 0) {
        const what = this.depth === 0 ? "before the JSON array began" : `inside entry ${this.nextIndex + this.queue.length - this.head}`;
        throw new TruncatedError("LLAVA_TRUNCATED", `the file ends ${what}; the closing "]" is missing`, { file: this.file, offset: this.size ?? 0 });
      }
      return;
    }
    this.readPos += bytesRead;
    this.feed(this.buffer.subarray(0, bytesRead));
  }

  private feed(bytes: Uint8Array): void {
    try {
      (this.tokenizer as Tokenizer).write(bytes);
    } catch (error) {
      if (isCotrainError(error)) throw error;
      const message = (error as Error).message;
      const absolute = /absolute position "(\d+)"/.exec(message);
      const offset = (absolute ? Number(absolute[1]) : this.lastToken) + this.delta;
      throw new FormatError("LLAVA_JSON_SYNTAX", `malformed JSON (not skippable: the stream cannot continue past it): ${message}`, {
        file: this.file,
        offset,
        row: this.nextIndex + this.queue.length - this.head,
        cause: error,
      });
    }
  }

  private makeTokenizer(): Tokenizer {
    const tokenizer = new Tokenizer();
    const parser = new TokenParser({ paths: ["$.*"], keepStack: false });
    parser.onValue = ({ value }) => {
      this.queue.push({ start: this.regionStart, at: this.valueAt, value });
      this.valueAt = -1;
    };
    tokenizer.onToken = (t) => {
      const offset = t.offset + this.delta;
      this.lastToken = t.offset;
      if (this.closedAt >= 0) {
        throw new FormatError("LLAVA_TRAILING_DATA", `unexpected ${JSON.stringify(t.value)} after the array's closing "]"`, { file: this.file, offset });
      }
      if (this.depth === 0) {
        if (t.token !== TokenType.LEFT_BRACKET) throw new FormatError("LLAVA_NOT_ARRAY", `the file must hold a JSON array of entries, found ${JSON.stringify(t.value)}`, { file: this.file, offset });
        this.regionStart = offset + 1;
      } else if (this.depth === 1) {
        if (t.token === TokenType.COMMA) this.regionStart = offset + 1;
        else if (t.token === TokenType.RIGHT_BRACKET) this.closedAt = offset;
        else if (this.valueAt < 0) this.valueAt = offset;
      }
      if (t.token === TokenType.LEFT_BRACE || t.token === TokenType.LEFT_BRACKET) this.depth++;
      else if (t.token === TokenType.RIGHT_BRACE || t.token === TokenType.RIGHT_BRACKET) this.depth--;
      parser.write(t);
    };
    return tokenizer;
  }
}
