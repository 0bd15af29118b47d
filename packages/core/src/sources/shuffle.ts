import type { RecordBatch } from "apache-arrow";
import { concatBatches, takeRows } from "../arrow/batches.js";
import { Rng } from "../rng.js";
import type { SeedLike } from "../rng.js";
import { isAny, isInt, stateField } from "../source.js";
import type { JsonValue, Source } from "../source.js";

export interface ShuffleOptions {
  /** Rows gathered before they are permuted and emitted (the memory bound). */
  bufferSize: number;
  seed: SeedLike;
  /** Rows per output batch (default 64). */
  batchSize?: number;
}

/**
 * Seeded buffered shuffle. The parent's rows are gathered into blocks of at least `bufferSize` rows; each block is
 * permuted with a generator keyed by (seed, epoch, block number) and emitted in batches of `batchSize`.
 *
 * Why blocks and not a sliding reservoir: a sliding buffer's contents depend on the whole history, so resuming it
 * would mean storing the buffer (data) in the state or replaying the stream from the start. A block is a pure
 * function of the parent's state at its start, so the state stays small and a restore re-reads at most one
 * block. Readers also shuffle their file and episode order per epoch, so rows travel far between epochs.
 */
export function shuffle(source: Source, options: ShuffleOptions): Source {
  const { bufferSize, seed } = options;
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(bufferSize) || bufferSize <= 0) throw new RangeError(`bufferSize must be a positive integer, got ${bufferSize}`);
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);

  let epoch = 0;
  let blockNumber = 0; // blocks started in this epoch
  let block: RecordBatch | null = null;
  let order: Int32Array = new Int32Array(0);
  let emitted = 0;
  let blockStart: JsonValue = source.state();
  let resumeInto: number | null = null; // emitted rows to skip after re-reading the current block

  async function fillBlock(): Promise<void> {
    blockStart = source.state();
    const parts: RecordBatch[] = [];
    let rows = 0;
    while (rows < bufferSize) {
      const batch = await source.next();
      if (batch === null) break;
      parts.push(batch);
      rows += batch.numRows;
    }
    block = rows === 0 ? null : concatBatches(parts);
    if (block !== null) {
      order = Rng.from(seed, "shuffle", epoch, blockNumber).permutation(block.numRows);
      blockNumber++;
    }
    emitted = 0;
  }

  return {
    async next(): Promise<RecordBatch | null> {
      if (resumeInto !== null) {
        blockNumber--; // the block being re-read keeps its number
        await fillBlock();
        emitted = resumeInto;
        resumeInto = null;
      }
      if (block === null || emitted >= block.numRows) await fillBlock();
      if (block === null) return null;
      const indices = order.subarray(emitted, Math.min(emitted + batchSize, block.numRows));
      emitted += indices.length;
      return takeRows(block, indices);
    },
    state(): JsonValue {
      if (resumeInto !== null) return { epoch, block: blockNumber - 1, emitted: resumeInto, inBlock: true, source: blockStart };
      if (block !== null && emitted < block.numRows) return { epoch, block: blockNumber - 1, emitted, inBlock: true, source: blockStart };
      return { epoch, block: blockNumber, emitted: 0, inBlock: false, source: source.state() };
    },
    restore(state: JsonValue) {
      epoch = stateField<number>(state, "epoch", isInt, "shuffle");
      const number = stateField<number>(state, "block", isInt, "shuffle");
      const inBlock = stateField<boolean>(state, "inBlock", (v) => typeof v === "boolean", "shuffle");
      const skip = stateField<number>(state, "emitted", isInt, "shuffle");
      blockStart = stateField(state, "source", isAny, "shuffle");
      source.restore(blockStart);
      block = null;
      emitted = 0;
      blockNumber = inBlock ? number + 1 : number;
      resumeInto = inBlock ? skip : null;
    },
    reset(newEpoch) {
      epoch = newEpoch ?? epoch + 1;
      blockNumber = 0;
      block = null;
      emitted = 0;
      resumeInto = null;
      source.reset(newEpoch);
      blockStart = source.state();
    },
    describe: () => `${source.describe()} -> shuffle(buffer=${bufferSize}, seed=${String(seed)})`,
    close: () => source.close?.() ?? Promise.resolve(),
  };
}
