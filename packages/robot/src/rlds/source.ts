import type { RecordBatch } from "apache-arrow";
import { Rng, StateError, isInt, stateField } from "@cotrain/core";
import type { JsonValue, Source } from "@cotrain/core";
import type { Episode } from "../episode.js";
import { checkEpisodeShape, episodesToBatch } from "../episode-batch.js";
import type { EpisodeSlice } from "../episode-batch.js";
import { EpisodeCursor } from "./cursor.js";
import type { CursorPosition } from "./cursor.js";
import { openRldsDataset } from "./dataset.js";
import { ReadAhead } from "./read-ahead.js";
import { RecordBuffers } from "./record-buffers.js";
import { cameraName } from "./mapping.js";
import type { RldsDataset } from "./dataset.js";
import { imageValidation, nonNegativeInteger, onErrorOption } from "./options.js";
import type { OpenRldsOptions } from "./options.js";

export interface RldsSource extends Source {
  /** Episodes skipped under `onError: "skip"`, by error code (e.g. `{ TFRECORD_DATA_CRC: 1 }`); kept across epochs and in the state. */
  skipped(): Record<string, number>;
  /** The opened dataset: dataset_info, features, resolved mapping, shard files. */
  readonly dataset: RldsDataset;
}

interface Current {
  /** The episode being emitted, with the instruction choice applied. */
  episode: Episode;
  /** Absolute step of the next row to emit. */
  step: number;
  at: CursorPosition;
  /** The read buffer the episode's frames view, given back once its last rows are built into a batch. */
  buffer: Uint8Array | null;
}

interface Pending {
  at: CursorPosition;
  step: number;
  skipped: Record<string, number>;
}

/**
 * A resumable Source of canonical RecordBatches over an RLDS dataset folder (TFDS layout: dataset_info.json,
 * features.json, TFRecord shards of tf.train.Example episodes); one row per step, batches across episodes.
 *
 * State: `{epoch, shard, record, offset, step, shards, skipped}` — the position of the episode being emitted (shard
 * in the epoch's shard order, record in the shard's record order, byte offset of its header) and the next step in
 * it. Restoring reads that one record again (plus, when shuffling, the shard's 12-byte record headers), never the
 * records before it.
 */
export async function openRlds(dir: string, options: OpenRldsOptions = {}): Promise<RldsSource> {
  const dataset = await openRldsDataset(dir, options);
  const batchSize = nonNegativeInteger("batchSize", options.batchSize ?? 64, 1);
  const chunk = nonNegativeInteger("chunk", options.chunk ?? 0);
  const seed = nonNegativeInteger("seed", options.seed ?? 0);
  const shuffle = options.shuffleEpisodes ?? false;
  const choice = options.instructionChoice ?? "primary";
  if (choice !== "primary" && choice !== "random") throw new RangeError(`instructionChoice must be "primary" or "random", got ${JSON.stringify(choice)}`);
  const normalize = options.normalize ?? {};
  // Batches copy the frames out of each record, so records are read into a few reused buffers (see RecordBuffers).
  const buffers = new RecordBuffers();
  // Each episode's record is read while the previous episode's rows are built into batches.
  const cursor = new ReadAhead(new EpisodeCursor(dataset, { shuffle, seed, onError: onErrorOption(options.onError), decode: { images: imageValidation(options.validateImages), extras: false }, buffers }), buffers);

  let current: Current | null = null;
  let pending: Pending | null = null;
  let resumeStep = 0;

  const instructionsOf = (episode: Episode, epoch: number): Episode => {
    if (choice === "primary" || !episode.alternateInstructions) return episode;
    const candidates = [episode.instructions, ...Object.values(episode.alternateInstructions)].filter((list) => list.some((s) => s !== ""));
    if (candidates.length <= 1) return episode;
    const pick = Rng.from(seed, "rlds-instruction", epoch, episode.index).int(candidates.length);
    return { ...episode, instructions: candidates[pick] as string[] };
  };

  async function load(): Promise<Current | null> {
    const got = await cursor.next();
    if (got === null) return null;
    const { episode, at, buffer } = got;
    const from = resumeStep;
    resumeStep = 0;
    if (from > episode.length) throw new StateError("RLDS_STATE", `the state resumes at step ${from} of episode ${episode.id}, which has ${episode.length} steps`);
    checkEpisodeShape(episode);
    return { episode: instructionsOf(episode, at.epoch), step: from, at, buffer };
  }

  return {
    dataset,
    async next(): Promise<RecordBatch | null> {
      if (pending) {
        const p = pending;
        pending = null;
        current = null;
        await cursor.seek(p.at);
        cursor.skipped = { ...p.skipped };
        resumeStep = p.step;
      }
      // The batch's rows as runs of steps of episodes; the columns are built from the episodes' arrays directly.
      const slices: EpisodeSlice[] = [];
      const finished: Uint8Array[] = [];
      let rows = 0;
      while (rows < batchSize) {
        if (current === null) {
          current = await load();
          if (current === null) break;
        }
        const c: Current = current;
        const take = Math.min(batchSize - rows, c.episode.length - c.step);
        if (take > 0) slices.push({ episode: c.episode, from: c.step, to: c.step + take });
        rows += take;
        c.step += take;
        if (c.step >= c.episode.length) {
          if (c.buffer) finished.push(c.buffer);
          current = null;
        }
      }
      if (rows === 0) return null;
      const batch = episodesToBatch(slices, { chunk, normalize });
      // The batch holds copies of the frames now: the finished episodes' buffers may be read into again.
      for (const buffer of finished) buffers.give(buffer);
      return batch;
    },
    state(): JsonValue {
      if (pending) return { ...pending.at, step: pending.step, shards: cursor.shards, skipped: { ...pending.skipped } };
      const at = current ? current.at : cursor.position();
      return { ...at, step: current ? current.step : resumeStep, shards: cursor.shards, skipped: { ...cursor.skipped } };
    },
    restore(state: JsonValue) {
      const shards = stateField<number>(state, "shards", isInt, "openRlds");
      if (shards !== cursor.shards) throw new StateError("RLDS_STATE", `the state was saved over ${shards} shard files, but this source reads ${cursor.shards} (different dataset, split or shard option?)`);
      const skipped = stateField<{ [k: string]: JsonValue }>(state, "skipped", (v) => typeof v === "object" && v !== null && !Array.isArray(v), "openRlds");
      const int = (key: string): number => stateField<number>(state, key, isInt, "openRlds");
      pending = {
        at: { epoch: int("epoch"), shard: int("shard"), record: int("record"), offset: int("offset") },
        step: int("step"),
        skipped: Object.fromEntries(Object.entries(skipped).map(([k, v]) => [k, Number(v)])),
      };
    },
    reset(epoch?: number) {
      const now = pending ? pending.at.epoch : cursor.position().epoch;
      pending = { at: { epoch: epoch ?? now + 1, shard: 0, record: 0, offset: 0 }, step: 0, skipped: pending ? pending.skipped : { ...cursor.skipped } };
    },
    skipped: () => ({ ...(pending ? pending.skipped : cursor.skipped) }),
    describe() {
      const parts = [`${dataset.info.name} ${dataset.info.version}`.trim(), dataset.split, `${dataset.files.length} shards`, `cameras=[${dataset.layout.cameras.map((c) => cameraName(c.name)).join(",")}]`, `batch=${batchSize}`];
      if (dataset.preset) parts.push(`preset=${dataset.preset}`);
      if (chunk > 0) parts.push(`chunk=${chunk}`);
      if (shuffle) parts.push(`shuffle seed=${seed}`);
      if (options.shard) parts.push(`shard=${options.shard.index}/${options.shard.count}`);
      if (normalize.action) parts.push(`action ${normalize.action.describe()}`);
      if (normalize.state) parts.push(`state ${normalize.state.describe()}`);
      return `rlds(${parts.join(", ")})`;
    },
    async close() {
      await cursor.close();
    },
  };
}
