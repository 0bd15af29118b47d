import { ConfigError, CotrainError, FormatError, MissingError, RemoteError, Rng, StateError, TruncatedError, UnsupportedError, isNotFound } from "@cotrain/core";
import type { Episode } from "../episode.js";
import type { ShardFile } from "./dataset-info.js";
import type { RldsDataset } from "./dataset.js";
import { decodeEpisode, keysRead } from "./decode-episode.js";
import type { DecodeOptions } from "./decode-episode.js";
import { decodeExampleFeatures } from "./example.js";
import type { RecordBuffers } from "./record-buffers.js";
import { FOOTER_BYTES, HEADER_BYTES, TFRecordFile } from "./tfrecord-reader.js";

/**
 * A place in the stream of episodes: shard `shard` of the epoch's shard order, record `record` of that shard's
 * record order, whose header starts at byte `offset` of the file.
 */
export interface CursorPosition {
  epoch: number;
  shard: number;
  record: number;
  offset: number;
}

export interface CursorOptions {
  /** Visit shards, and records within each shard, in orders keyed by (seed, epoch). */
  shuffle: boolean;
  seed: number;
  onError: "raise" | "skip";
  decode: DecodeOptions;
  /**
   * Read records into buffers taken from here: each episode comes with the buffer its bytes (the image frames) are
   * views into, for the caller to give back when it has copied them out. Without it, every record gets a new buffer.
   */
  buffers?: RecordBuffers;
}

/** An episode, the position it was read at, and the pooled buffer its frames view (null without `buffers`). */
export interface CursorEpisode {
  episode: Episode;
  at: CursorPosition;
  buffer: Uint8Array | null;
}

interface OpenShard {
  shard: number;
  info: ShardFile;
  file: TFRecordFile;
  /** Record order (file record numbers); identity unless shuffling. */
  order: Int32Array;
  /** Shuffled mode: header offsets of the reachable records, and why the rest are unreachable. */
  offsets: number[] | null;
  unreachable: CotrainError | null;
  /** Shuffled mode: where records beyond those dataset_info.json lists start, if any. */
  extraAt: number | null;
  /** The header read with the previous record's body (see TFRecordFile.readBodyAndNext), by its offset. */
  peeked: { offset: number; length: number | null } | null;
}

/**
 * Walks the episodes of an RLDS dataset one record at a time, applying the error policy. Sequential mode reads each
 * shard front to back and needs only the current offset to resume; shuffled mode first reads a shard's 12-byte
 * record headers (never its data) so that its records can be visited in a seeded permutation.
 */
export class EpisodeCursor {
  private at: CursorPosition = { epoch: 0, shard: 0, record: 0, offset: 0 };
  private shardOrder: number[];
  private current: OpenShard | null = null;
  private started = false;
  /** The features decoded in full; the others are only counted (see decodeExampleFeatures). */
  private readonly wanted: ReadonlySet<string>;
  skipped: Record<string, number> = {};

  constructor(
    private readonly dataset: RldsDataset,
    private readonly options: CursorOptions,
  ) {
    this.shardOrder = this.orderFor(0);
    this.wanted = keysRead(dataset.layout, options.decode);
  }

  get shards(): number {
    return this.dataset.files.length;
  }

  position(): CursorPosition {
    return { ...this.at };
  }

  /**
   * Moves to `position` (a value from `position()`, possibly of another process). Sequential mode reads from the
   * saved offset directly; shuffled mode locates the record through the shard's header index instead.
   */
  async seek(position: CursorPosition): Promise<void> {
    if (position.shard > this.shards) throw new StateError("RLDS_STATE", `shard ${position.shard} is past the ${this.shards} shard files of this source`);
    if (position.epoch !== this.at.epoch || !this.started) this.shardOrder = this.orderFor(position.epoch);
    await this.closeShard();
    this.at = { ...position };
    this.started = true;
    if (this.options.shuffle && this.at.shard < this.shards) {
      try {
        const shard = await this.openShardOrSkip();
        if (shard !== null) this.at.offset = this.offsetOf(shard, this.at.record);
      } catch (error) {
        await this.closeShard();
        throw error;
      }
    }
  }

  async startEpoch(epoch: number): Promise<void> {
    await this.seek({ epoch, shard: 0, record: 0, offset: 0 });
  }

  /** The next episode and the position it was read at, or null at the end of the epoch. */
  async next(): Promise<CursorEpisode | null> {
    try {
      return await this.read();
    } catch (error) {
      // A raised error leaves no file open; a later seek or next() reopens what it needs.
      await this.closeShard();
      throw error;
    }
  }

  private async read(): Promise<CursorEpisode | null> {
    if (!this.started) await this.seek(this.at);
    for (;;) {
      if (this.at.shard >= this.shards) return null;
      const shard = await this.openShardOrSkip();
      if (shard === null) continue;
      if (this.at.record >= shard.info.length) {
        await this.finishShard(shard);
        continue;
      }
      const here = { ...this.at };
      const recordNumber = shard.order[this.at.record] as number;
      if (shard.unreachable && recordNumber >= (shard.offsets?.length ?? 0)) {
        this.count(shard.unreachable.code, 1);
        this.advance(shard, this.at.offset);
        continue;
      }
      let length: number | null;
      try {
        const peeked = shard.peeked?.offset === this.at.offset ? shard.peeked : null;
        length = peeked ? peeked.length : await shard.file.readHeader(this.at.offset, recordNumber);
        if (length === null) {
          throw new TruncatedError("RLDS_SHARD_LENGTH", `the file ends after ${this.at.record} records; dataset_info.json says ${shard.info.length}`, { file: shard.info.path, offset: this.at.offset, row: recordNumber });
        }
      } catch (error) {
        // The framing is broken here: nothing after this record can be found in this file.
        this.fail(error, shard.info.length - this.at.record);
        await this.nextShard();
        continue;
      }
      const where = { file: shard.info.path, offset: here.offset, row: recordNumber };
      let data: Uint8Array;
      const buffer = this.options.buffers?.take(length + FOOTER_BYTES + HEADER_BYTES) ?? null;
      try {
        const read = await shard.file.readBodyAndNext(this.at.offset, length, recordNumber, buffer ?? undefined);
        data = read.data;
        const nextOffset = this.at.offset + HEADER_BYTES + length + FOOTER_BYTES;
        shard.peeked = read.next === undefined ? null : { offset: nextOffset, length: read.next };
      } catch (error) {
        if (buffer) this.options.buffers?.give(buffer);
        const truncated = error instanceof TruncatedError;
        this.fail(error, truncated ? shard.info.length - this.at.record : 1);
        if (truncated) await this.nextShard();
        else this.advance(shard, this.at.offset + HEADER_BYTES + length + FOOTER_BYTES);
        continue;
      }
      this.advance(shard, this.at.offset + HEADER_BYTES + length + FOOTER_BYTES);
      try {
        const example = decodeExampleFeatures(data, this.wanted, where);
        const ctx = { ...where, shardName: shard.info.name, record: recordNumber, index: shard.info.firstEpisode + recordNumber, source: this.dataset.source };
        return { episode: await decodeEpisode(example, this.dataset.layout, ctx, this.options.decode), at: here, buffer };
      } catch (error) {
        if (buffer) this.options.buffers?.give(buffer);
        this.fail(error, 1);
      }
    }
  }

  async close(): Promise<void> {
    await this.closeShard();
  }

  private orderFor(epoch: number): number[] {
    const n = this.dataset.files.length;
    if (!this.options.shuffle) return Array.from({ length: n }, (_, i) => i);
    return Array.from(Rng.from(this.options.seed, "rlds-shards", epoch).permutation(n));
  }

  /** Moves past the current record; `nextOffset` is where the next one starts in file order. */
  private advance(shard: OpenShard, nextOffset: number): void {
    this.at.record++;
    this.at.offset = this.options.shuffle ? this.offsetOf(shard, this.at.record) : nextOffset;
  }

  private offsetOf(shard: OpenShard, record: number): number {
    if (record >= shard.info.length) return shard.file.size;
    return shard.offsets?.[shard.order[record] as number] ?? 0;
  }

  private async openShardOrSkip(): Promise<OpenShard | null> {
    try {
      return await this.openShard();
    } catch (error) {
      const info = this.dataset.files[this.shardOrder[this.at.shard] as number] as ShardFile;
      this.fail(error, Math.max(1, info.length - this.at.record));
      await this.nextShard();
      return null;
    }
  }

  private async openShard(): Promise<OpenShard> {
    if (this.current?.shard === this.at.shard) return this.current;
    await this.closeShard();
    const info = this.dataset.files[this.shardOrder[this.at.shard] as number] as ShardFile;
    let file: TFRecordFile;
    try {
      file = await TFRecordFile.open(info.path);
    } catch (cause) {
      if (isNotFound(cause)) throw new MissingError("RLDS_SHARD_MISSING", `shard file ${info.name} listed by dataset_info.json does not exist`, { file: info.path, cause });
      if (cause instanceof CotrainError) throw cause;
      // A name the file system refuses (too long, a folder): the metadata names no readable file.
      throw new MissingError("RLDS_SHARD_UNREADABLE", `shard file ${info.name} listed by dataset_info.json cannot be opened (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, { file: info.path, cause });
    }
    // Every record takes 16 bytes of framing at least: a larger count is wrong metadata, refused before the record
    // order (an array of that many entries) is built from it.
    const most = Math.floor(file.size / (HEADER_BYTES + FOOTER_BYTES));
    if (info.length > most) {
      await file.close();
      throw new TruncatedError("RLDS_SHARD_LENGTH", `dataset_info.json lists ${info.length} records, more than the ${most} a file of ${file.size} bytes can hold`, { file: info.path, offset: file.size, row: most });
    }
    const identity = Int32Array.from({ length: info.length }, (_, i) => i);
    const shard: OpenShard = { shard: this.at.shard, info, file, order: identity, offsets: null, unreachable: null, extraAt: null, peeked: null };
    this.current = shard;
    if (this.options.shuffle) {
      shard.order = Rng.from(this.options.seed, "rlds-records", this.at.epoch, info.name).permutation(info.length);
      await this.indexShard(shard);
    }
    return shard;
  }

  /** Shuffled mode: the offsets of the shard's records, from their headers alone. */
  private async indexShard(shard: OpenShard): Promise<void> {
    const { info, file } = shard;
    const { offsets, error } = await file.scanOffsets();
    shard.offsets = offsets;
    const found = offsets.length;
    if (found > info.length || (found === info.length && error !== null)) {
      // Bytes after the listed records (whole records or not), as sequential mode reports them. Reported when the
      // shard is finished, so a restore that re-indexes the shard does not count it twice.
      shard.extraAt = offsets[info.length] ?? (error?.offset as number);
      return;
    }
    const missing = error ?? (found < info.length ? new TruncatedError("RLDS_SHARD_LENGTH", `the file holds ${found} records; dataset_info.json says ${info.length}`, { file: info.path, offset: file.size, row: found }) : null);
    if (missing === null || found >= info.length) return;
    if (this.options.onError === "raise") throw missing;
    // Records from `found` on cannot be located; each is counted when its turn in the order comes.
    shard.unreachable = missing;
  }

  /** Sequential mode: after the last listed record the file must end. */
  private async finishShard(shard: OpenShard): Promise<void> {
    const extraAt = this.options.shuffle ? shard.extraAt : this.at.offset < shard.file.size ? this.at.offset : null;
    if (extraAt !== null) this.trailing(shard.info, extraAt);
    await this.nextShard();
  }

  private trailing(info: ShardFile, offset: number): void {
    const error = new FormatError("RLDS_SHARD_LENGTH", `the file holds more than the ${info.length} records dataset_info.json lists (extra bytes from here on)`, { file: info.path, offset, row: info.length });
    this.fail(error, 1);
  }

  private async nextShard(): Promise<void> {
    await this.closeShard();
    this.at.shard++;
    this.at.record = 0;
    this.at.offset = 0;
    if (this.options.shuffle && this.at.shard < this.shards) {
      const shard = await this.openShardOrSkip();
      if (shard !== null) this.at.offset = this.offsetOf(shard, 0);
    }
  }

  private async closeShard(): Promise<void> {
    const shard = this.current;
    this.current = null;
    await shard?.file.close();
  }

  /** Raises `error`, or counts `episodes` lost to it under its code when skipping. */
  private fail(error: unknown, episodes: number): void {
    // A RemoteError (the server kept failing after the retries) says nothing about the data: never skipped.
    const skippable = error instanceof CotrainError && !(error instanceof ConfigError) && !(error instanceof UnsupportedError) && !(error instanceof StateError) && !(error instanceof RemoteError);
    if (this.options.onError === "raise" || !skippable) throw error;
    this.count(error.code, episodes);
  }

  private count(code: string, n: number): void {
    this.skipped[code] = (this.skipped[code] ?? 0) + n;
  }
}
