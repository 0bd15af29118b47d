import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ConfigError, writeAtomically } from "@cotrain/core";
import type { Episode } from "../episode.js";
import { DEFAULT_FILEPATH_TEMPLATE, datasetInfoToJson, readDatasetInfo, shardFileName } from "./dataset-info.js";
import type { DatasetInfo } from "./dataset-info.js";
import { encodeEpisode } from "./encode-episode.js";
import { encodeExample } from "./example.js";
import { featuresToJson } from "./features.js";
import { resolveMapping } from "./mapping.js";
import { TFRecordWriter } from "./tfrecord-writer.js";
import { writerLayout } from "./writer-layout.js";
import type { LayoutOptions } from "./writer-layout.js";

export interface WriteRldsOptions extends LayoutOptions {
  /** Dataset name: the shard file prefix and dataset_info.json's name (e.g. "bridge_dataset", "droid"). */
  name: string;
  /** Version string for dataset_info.json (default "1.0.0"). */
  version?: string;
  /** Split to write (default "train"); other splits already in dataset_info.json are kept. */
  split?: string;
  /** With an array of episodes: exactly this many shard files, contiguous ranges of episodes (default 1). */
  shards?: number;
  /** With a stream of episodes (or instead of `shards`): episodes per shard file. */
  episodesPerShard?: number;
  description?: string;
}

export interface WriteRldsResult {
  dir: string;
  /** Shard file paths, in shard order. */
  files: string[];
  shardLengths: number[];
  episodes: number;
  steps: number;
  bytes: number;
}

/**
 * Writes episodes as an RLDS dataset version folder in the TFDS layout: TFRecord shards
 * `<name>-<split>.tfrecord-00000-of-0000N` of one tf.train.Example per episode, features.json and
 * dataset_info.json. Every shard is written under a temporary name and renamed only when all are complete;
 * dataset_info.json is written last, so a crash never leaves a folder that looks whole.
 */
export async function writeRlds(dir: string, episodes: Iterable<Episode> | AsyncIterable<Episode>, options: WriteRldsOptions): Promise<WriteRldsResult> {
  const root = resolve(dir);
  const split = options.split ?? "train";
  if (!/^[\w.-]+$/.test(options.name ?? "")) throw new ConfigError("RLDS_OPTION", `name must be a plain file-name prefix, got ${JSON.stringify(options.name)}`, { field: "name" });
  const list = Array.isArray(episodes) ? (episodes as Episode[]) : null;
  if (options.shards !== undefined && (!Number.isInteger(options.shards) || options.shards < 1)) throw new RangeError(`shards must be a positive integer, got ${options.shards}`);
  if (options.shards !== undefined && list === null) throw new ConfigError("RLDS_OPTION", "shards needs an array of episodes; pass episodesPerShard for a stream", { field: "shards" });
  const perShard = options.episodesPerShard ?? Number.POSITIVE_INFINITY;
  if (!(perShard >= 1)) throw new RangeError(`episodesPerShard must be ≥ 1, got ${perShard}`);
  // With an array and a shard count, shard k holds episodes [⌊kE/N⌋, ⌊(k+1)E/N⌋), as TFDS balances them.
  // Episode i goes to the largest k with ⌊kE/N⌋ ≤ i, i.e. k = ⌊((i+1)N − 1)/E⌋.
  const shardOf = list && options.shards ? (i: number) => Math.floor(((i + 1) * (options.shards as number) - 1) / list.length) : (i: number) => Math.floor(i / perShard);
  await mkdir(root, { recursive: true });

  const iterator = (episodes as AsyncIterable<Episode>)[Symbol.asyncIterator]?.() ?? toAsync((episodes as Iterable<Episode>)[Symbol.iterator]());
  let next = await iterator.next();
  const { features, mapping } = await writerLayout(next.done ? undefined : next.value, options);
  resolveMapping(mapping, features, "features");

  const temps: string[] = [];
  const lengths: number[] = [];
  let writer: TFRecordWriter | null = null;
  let shard = -1;
  let count = 0;
  let steps = 0;
  let bytes = 0;
  const closeShard = async (): Promise<void> => {
    if (writer === null) return;
    bytes += writer.bytes;
    lengths.push(writer.records);
    await writer.close();
    writer = null;
  };
  try {
    for (; !next.done; next = await iterator.next(), count++) {
      const episode = next.value;
      const target = shardOf(count);
      while (shard < target) {
        await closeShard();
        shard++;
        const tmp = join(root, `.${options.name}-${split}.shard-${shard}.tmp-${process.pid}`);
        temps.push(tmp);
        writer = await TFRecordWriter.create(tmp);
      }
      await (writer as TFRecordWriter | null)?.write(encodeExample(encodeEpisode(episode, features, mapping)));
      steps += episode.length;
    }
    const total = Math.max(shard + 1, options.shards ?? 1);
    while (shard < total - 1) {
      await closeShard();
      shard++;
      const tmp = join(root, `.${options.name}-${split}.shard-${shard}.tmp-${process.pid}`);
      temps.push(tmp);
      writer = await TFRecordWriter.create(tmp);
    }
    await closeShard();
  } catch (error) {
    await closeShard().catch(() => undefined);
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw error;
  }

  const info: DatasetInfo = await readDatasetInfo(root).catch(() => ({ name: options.name, version: "", fileFormat: "tfrecord", splits: [], extra: {} }));
  const names = lengths.map((_, k) => shardFileName(DEFAULT_FILEPATH_TEMPLATE, options.name, split, "tfrecord", k, lengths.length));
  const stale = (await readdir(root)).filter((f) => f.startsWith(`${options.name}-${split}.tfrecord-`) && !names.includes(f));
  await Promise.all(stale.map((f) => rm(join(root, f), { force: true })));
  await Promise.all(temps.map((t, k) => rename(t, join(root, names[k] as string))));
  await writeAtomically(join(root, "features.json"), (tmp) => writeFile(tmp, `${JSON.stringify(featuresToJson(features), null, 2)}\n`));
  const splits = info.splits.filter((s) => s.name !== split);
  splits.push({ name: split, shardLengths: lengths, numBytes: bytes, filepathTemplate: DEFAULT_FILEPATH_TEMPLATE });
  const updated: DatasetInfo = { ...info, name: options.name, version: options.version ?? "1.0.0", fileFormat: "tfrecord", splits, ...(options.description ? { description: options.description } : {}) };
  await writeAtomically(join(root, "dataset_info.json"), (tmp) => writeFile(tmp, `${JSON.stringify(datasetInfoToJson(updated), null, 2)}\n`));
  return { dir: root, files: names.map((n) => join(root, n)), shardLengths: lengths, episodes: count, steps, bytes };
}

function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return { next: async () => it.next() };
}
