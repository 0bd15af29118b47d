import type { CursorEpisode, CursorPosition, EpisodeCursor } from "./cursor.js";
import type { RecordBuffers } from "./record-buffers.js";

interface Ahead {
  read: Promise<CursorEpisode | null>;
  /** The cursor's position and skip counts before this read: what the cursor said after the last episode handed out. */
  at: CursorPosition;
  skipped: Record<string, number>;
}

/**
 * An EpisodeCursor that reads the next episode while the caller works on the current one. Why: a record read is a
 * file read of megabytes on libuv's thread pool, and a reader that waits for it after building its batches sits idle
 * (a profile of openRlds showed a quarter of its time idle); started as soon as an episode is handed out, the read
 * runs while that episode's rows become batches.
 *
 * To its caller it is the cursor itself, one episode behind: `position()` and `skipped` are what the cursor said
 * right after handing out the last episode, whatever the read ahead has done since, so a saved state never covers an
 * episode that was read but not yet handed out. An error of the read ahead is raised by the `next()` that hands out
 * its episode, as the cursor would have raised it there; a seek or close first waits for the read ahead and drops it.
 */
export class ReadAhead {
  private ahead: Ahead | null = null;

  constructor(
    private readonly cursor: EpisodeCursor,
    /** Where a dropped episode's read buffer goes back to, if the cursor reads into pooled buffers. */
    private readonly buffers?: RecordBuffers,
  ) {}

  get shards(): number {
    return this.cursor.shards;
  }

  position(): CursorPosition {
    return this.ahead ? { ...this.ahead.at } : this.cursor.position();
  }

  get skipped(): Record<string, number> {
    return this.ahead ? this.ahead.skipped : this.cursor.skipped;
  }

  /** Sets the skip counts; only right after a seek (nothing is read ahead then). */
  set skipped(counts: Record<string, number>) {
    this.cursor.skipped = counts;
  }

  /** The next episode (see EpisodeCursor.next); starts reading the one after it. */
  async next(): Promise<CursorEpisode | null> {
    const ahead = this.ahead;
    this.ahead = null;
    const got = ahead ? await ahead.read : await this.cursor.next();
    if (got !== null) this.readAhead();
    return got;
  }

  async seek(position: CursorPosition): Promise<void> {
    await this.drop();
    await this.cursor.seek(position);
  }

  async close(): Promise<void> {
    await this.drop();
    await this.cursor.close();
  }

  private readAhead(): void {
    const at = this.cursor.position();
    const skipped = { ...this.cursor.skipped };
    const read = this.cursor.next();
    // Raised by the next() that awaits it; until then it must not count as an unhandled rejection.
    read.catch(() => undefined);
    this.ahead = { read, at, skipped };
  }

  /** Waits for the read ahead (its error dropped with it: nobody asked for that episode) and recycles its buffer. */
  private async drop(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = null;
    if (ahead === null) return;
    const got = await ahead.read.catch(() => null);
    if (got?.buffer) this.buffers?.give(got.buffer);
  }
}
