import type { RecordBatch } from "apache-arrow";
import { CotrainError, ConfigError, RemoteError, Rng, StateError, UnsupportedError, isInt, locationName, partitionInputs, rowsToBatch, stateField } from "@cotrain/core";
import type { JsonValue, RowInput, Source } from "@cotrain/core";
import { episodeToRows } from "../episode.js";
import type { Episode } from "../episode.js";
import { datasetFrom } from "./dataset.js";
import type { LeRobotDataset } from "./dataset.js";
import type { LeRobotEpisodeEntry } from "./meta.js";
import { readLeRobotMeta } from "./meta.js";
import { resolveLeRobotOptions } from "./options.js";
import type { OpenLeRobotOptions } from "./options.js";

export interface LeRobotSource extends Source {
  /** Episodes skipped under `onError: "skip"`, counted by error code (e.g. `{ NON_FINITE: 2 }`); cumulative over epochs. */
  skipped(): Record<string, number>;
  /** The dataset behind the source, for metadata and random access to episodes. */
  readonly dataset: LeRobotDataset;
}

interface Position {
  epoch: number;
  position: number;
  step: number;
  skipped: Record<string, number>;
}

/**
 * A resumable Source of canonical RecordBatches over a LeRobot dataset (codebase v2.x or v3.0; images in Parquet or
 * in MP4 videos). Episodes are visited in index order or, with `shuffleEpisodes`, in a permutation keyed by
 * (seed, epoch); each episode becomes one row per step through `episodeToRows`. State is
 * `{epoch, position, step, episodes, skipped}`: a restore loads the episode at `position` of the epoch's order and
 * continues at `step`, without reading any earlier episode.
 */
export async function openLeRobot(dir: string, options: OpenLeRobotOptions = {}): Promise<LeRobotSource> {
  const meta = await readLeRobotMeta(dir);
  const resolved = resolveLeRobotOptions(dir, meta.info, options);
  const dataset = await datasetFrom(meta, resolved.read);
  const { batchSize, chunk, shuffleEpisodes, seed, onError, shard, prefetch } = resolved;
  // Twelve digits keep partitionInputs' name sort equal to index order for any realistic dataset.
  const mine = shard ? partitionInputs(meta.episodes, shard, (e) => String(e.index).padStart(12, "0")) : [...meta.episodes];

  let at: Position = { epoch: 0, position: 0, step: 0, skipped: {} };
  let order: LeRobotEpisodeEntry[] = orderFor(0);
  let pending: Position | null = null;
  let current: { position: number; rows: RowInput[] } | null = null;
  const loads = new Map<number, Promise<Episode>>();
  // Every load started, including prefetches a restore or reset abandoned, so close() can wait for their ffmpeg runs.
  const inflight = new Set<Promise<unknown>>();

  function orderFor(epoch: number): LeRobotEpisodeEntry[] {
    if (!shuffleEpisodes) return mine;
    return Array.from(Rng.from(seed, "lerobot-episodes", epoch).permutation(mine.length), (i) => mine[i] as LeRobotEpisodeEntry);
  }

  function startLoad(position: number): Promise<Episode> {
    let load = loads.get(position);
    if (!load) {
      load = dataset.readEpisode((order[position] as LeRobotEpisodeEntry).index);
      const settled = load.then(() => undefined, () => undefined); // a prefetched failure is reported when its episode is reached
      inflight.add(settled);
      void settled.then(() => inflight.delete(settled));
      loads.set(position, load);
    }
    return load;
  }

  function startOver(next: Position): void {
    at = next;
    order = orderFor(next.epoch);
    current = null;
    loads.clear();
  }

  async function episodeRows(position: number): Promise<RowInput[] | null> {
    const load = startLoad(position);
    for (let p = position + 1; p <= Math.min(position + prefetch, order.length - 1); p++) startLoad(p);
    try {
      return episodeToRows(await load, { chunk });
    } catch (error) {
      // A RemoteError (the server kept failing after the retries) says nothing about the episode: never skipped.
      const skippable = error instanceof CotrainError && !(error instanceof UnsupportedError) && !(error instanceof ConfigError) && !(error instanceof RemoteError);
      if (onError === "raise" || !skippable) throw error;
      at.skipped[error.code] = (at.skipped[error.code] ?? 0) + 1;
      return null;
    } finally {
      loads.delete(position);
    }
  }

  return {
    dataset,
    async next(): Promise<RecordBatch | null> {
      if (pending) {
        startOver(pending);
        pending = null;
      }
      const rows: RowInput[] = [];
      while (rows.length < batchSize && at.position < order.length) {
        if (current?.position !== at.position) {
          const episode = await episodeRows(at.position);
          if (episode === null) {
            at.position++;
            at.step = 0;
            continue;
          }
          if (at.step > episode.length) {
            throw new StateError("LEROBOT_STATE", `the state resumes at step ${at.step} of episode ${order[at.position]?.index}, which has ${episode.length} steps`);
          }
          current = { position: at.position, rows: episode };
        }
        const take = Math.min(batchSize - rows.length, current.rows.length - at.step);
        for (let i = 0; i < take; i++) rows.push(current.rows[at.step + i] as RowInput);
        at.step += take;
        if (at.step >= current.rows.length) {
          at.position++;
          at.step = 0;
          current = null;
        }
      }
      return rows.length > 0 ? rowsToBatch(rows) : null;
    },
    state(): JsonValue {
      return { epoch: at.epoch, position: at.position, step: at.step, episodes: order.length, skipped: { ...at.skipped } };
    },
    restore(state: JsonValue) {
      const episodes = stateField<number>(state, "episodes", isInt, "openLeRobot");
      if (episodes !== order.length) {
        throw new StateError("LEROBOT_STATE", `the state was saved over ${episodes} episodes, but this source reads ${order.length} (different dataset, shard or options?)`);
      }
      const skipped = stateField<{ [k: string]: JsonValue }>(state, "skipped", (v) => typeof v === "object" && v !== null && !Array.isArray(v), "openLeRobot");
      pending = {
        epoch: stateField<number>(state, "epoch", isInt, "openLeRobot"),
        position: stateField<number>(state, "position", (v) => isInt(v) && (v as number) <= episodes, "openLeRobot"),
        step: stateField<number>(state, "step", isInt, "openLeRobot"),
        skipped: Object.fromEntries(Object.entries(skipped).map(([k, v]) => [k, Number(v)])),
      };
    },
    reset(epoch?: number) {
      pending = null;
      startOver({ epoch: epoch ?? at.epoch + 1, position: 0, step: 0, skipped: at.skipped });
    },
    skipped: () => ({ ...at.skipped }),
    describe() {
      const parts = [locationName(dir), meta.info.codebaseVersion, `${order.length} episodes`, `cameras=[${resolved.read.cameras.join(",")}]`, `batch=${batchSize}`];
      if (chunk > 0) parts.push(`chunk=${chunk}`);
      if (shuffleEpisodes) parts.push(`shuffle seed=${seed}`);
      if (shard) parts.push(`shard=${shard.index}/${shard.count}`);
      return `lerobot(${parts.join(", ")})`;
    },
    async close() {
      loads.clear();
      await Promise.all([...inflight]);
    },
  };
}
