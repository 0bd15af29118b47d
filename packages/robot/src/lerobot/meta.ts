import { readdir } from "node:fs/promises";
import { FormatError, MissingError, isCotrainError, isNotFound, isRemote, joinLocation, locationExists, parquetValues, parseJson, readLocation, relativeName } from "@cotrain/core";
import { INFO_PATH, readLeRobotInfo } from "./info.js";
import type { LeRobotInfo } from "./info.js";
import { openLeRobotParquet } from "./open-parquet.js";
import { expandPathTemplate } from "./path-template.js";

/** Where one episode's steps live. */
export interface LeRobotEpisodeEntry {
  index: number;
  length: number;
  /** Task strings of the episode as meta lists them. */
  tasks: string[];
  /** Absolute path of the Parquet file holding its rows. */
  dataFile: string;
  /** First row of the episode in `dataFile` (0 in v2, where each episode has its own file). */
  rowOffset: number;
  /** Per video feature: the MP4 file and the time in it where the episode starts (0 in v2). */
  videos: Record<string, { file: string; fromTimestamp: number }>;
}

/** A dataset's metadata: everything needed to find and decode any episode without reading the others. */
export interface LeRobotMeta {
  dir: string;
  info: LeRobotInfo;
  /** Sorted by episode index. */
  episodes: LeRobotEpisodeEntry[];
  /** task_index → task string. */
  tasks: Map<number, string>;
}

export async function readLeRobotMeta(dir: string): Promise<LeRobotMeta> {
  const info = await readLeRobotInfo(dir);
  const { episodes, tasks } = info.layout === "v2" ? await readV2(dir, info) : await readV3(dir, info);
  episodes.sort((a, b) => a.index - b.index);
  for (let i = 1; i < episodes.length; i++) {
    if (episodes[i]!.index === episodes[i - 1]!.index) throw new FormatError("LEROBOT_EPISODE_DUPLICATE", `episode ${episodes[i]!.index} is listed twice`, { file: joinLocation(dir, "meta"), row: i });
  }
  // An episode missing from the episode list would be dropped without a word: the count info.json gives must match.
  if (info.raw.total_episodes !== undefined && episodes.length !== info.totalEpisodes) {
    throw new FormatError("LEROBOT_EPISODE_COUNT", `info.json says total_episodes ${info.totalEpisodes}, the episode metadata lists ${episodes.length}`, { file: joinLocation(dir, "meta/info.json"), field: "total_episodes" });
  }
  return { dir, info, episodes, tasks };
}

const videoKeysOf = (info: LeRobotInfo): string[] => Object.entries(info.features).filter(([, f]) => f.dtype === "video").map(([k]) => k);

async function readJsonLines(file: string): Promise<{ line: number; value: Record<string, unknown> }[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readLocation(file);
  } catch (cause) {
    if (isCotrainError(cause) && !isNotFound(cause)) throw cause;
    throw new MissingError("LEROBOT_META_MISSING", "a required metadata file is missing", { file, cause });
  }
  const out: { line: number; value: Record<string, unknown> }[] = [];
  // Split on the newline byte (never part of a multi-byte UTF-8 character); each line is parsed strictly.
  for (let start = 0, i = 0; start < bytes.length; i++) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl;
    const line = bytes.subarray(start, end);
    if (line.some((b) => b !== 0x20 && b !== 0x09 && b !== 0x0d)) {
      const value = parseJson(line, { file, row: i }, "LEROBOT_META_JSON", { offset: start });
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw new FormatError("LEROBOT_META_JSON", `line ${i + 1} must hold a JSON object`, { file, row: i, offset: start });
      out.push({ line: i, value: value as Record<string, unknown> });
    }
    start = end + 1;
  }
  return out;
}

const { listOf, numberOf, textOf } = parquetValues;

function integerField(value: Record<string, unknown>, key: string, file: string, row: number): number {
  const raw = value[key];
  // JSON Lines metadata sometimes carries indices as numeric strings.
  const n = typeof raw === "string" && raw.trim() !== "" ? Number(raw) : typeof raw === "number" || typeof raw === "bigint" ? numberOf(raw) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new FormatError("LEROBOT_META_FIELD", `${key} must be a non-negative integer, got ${JSON.stringify(String(value[key]))}`, { file, row, field: key });
  return n;
}

async function readV2(dir: string, info: LeRobotInfo): Promise<{ episodes: LeRobotEpisodeEntry[]; tasks: Map<number, string> }> {
  const tasksFile = joinLocation(dir, "meta/tasks.jsonl");
  const tasks = new Map<number, string>();
  for (const { line, value } of await readJsonLines(tasksFile)) {
    if (typeof value.task !== "string") throw new FormatError("LEROBOT_META_FIELD", "task must be a string", { file: tasksFile, row: line, field: "task" });
    // JSON may escape a lone surrogate, which no UTF-8 text holds: it would reach the rows as U+FFFD.
    if (!(value.task as unknown as { isWellFormed(): boolean }).isWellFormed()) throw new FormatError("LEROBOT_META_FIELD", "task holds a lone UTF-16 surrogate: not text", { file: tasksFile, row: line, field: "task" });
    tasks.set(integerField(value, "task_index", tasksFile, line), value.task);
  }
  const episodesFile = joinLocation(dir, "meta/episodes.jsonl");
  const videoKeys = videoKeysOf(info);
  const entries = await readJsonLines(episodesFile);
  const episodes = entries.map(({ line, value }) => {
    const index = integerField(value, "episode_index", episodesFile, line);
    const chunk = Math.floor(index / info.chunksSize);
    const vars = { episode_chunk: chunk, episode_index: index, total_episodes: info.totalEpisodes };
    const videos: LeRobotEpisodeEntry["videos"] = {};
    for (const key of videoKeys) videos[key] = { file: joinLocation(dir, insideDataset(expandPathTemplate(info.videoPath as string, { ...vars, video_key: key }, joinLocation(dir, INFO_PATH)), dir, "video_path")), fromTimestamp: 0 };
    return {
      index,
      length: integerField(value, "length", episodesFile, line),
      tasks: Array.isArray(value.tasks) ? value.tasks.map(String) : [],
      dataFile: joinLocation(dir, insideDataset(expandPathTemplate(info.dataPath, vars, joinLocation(dir, INFO_PATH)), dir, "data_path")),
      rowOffset: 0,
      videos,
    };
  });
  return { episodes, tasks };
}

/** A path info.json's template gives: it must name a file inside the dataset folder (no `..`, not absolute). */
function insideDataset(path: string, dir: string, field: string): string {
  return relativeName(path, { file: joinLocation(dir, INFO_PATH), field }, "LEROBOT_INFO_FIELD");
}

async function parquetFilesUnder(folder: string): Promise<string[]> {
  if (isRemote(folder)) return remoteEpisodeFiles(folder);
  let names: string[];
  try {
    names = await readdir(folder, { recursive: true });
  } catch (cause) {
    throw new MissingError("LEROBOT_META_MISSING", "a v3.0 dataset needs meta/episodes/ with Parquet files", { file: folder, cause });
  }
  return names.filter((n) => n.endsWith(".parquet")).sort().map((n) => joinLocation(folder, n));
}

/**
 * A remote folder cannot be listed. v3.0 numbers its episode metadata files `chunk-XXX/file-YYY.parquet` from 0
 * (the file index counting up within a chunk, the chunk index counting up after a full chunk), so they are found
 * by asking for each name in turn (a HEAD) until one is missing.
 */
async function remoteEpisodeFiles(folder: string): Promise<string[]> {
  const pad = (n: number): string => String(n).padStart(3, "0");
  const files: string[] = [];
  for (let chunk = 0; ; chunk++) {
    let file = 0;
    for (; ; file++) {
      const url = joinLocation(folder, `chunk-${pad(chunk)}`, `file-${pad(file)}.parquet`);
      if (!(await locationExists(url))) break;
      files.push(url);
    }
    if (file === 0) break;
  }
  if (files.length === 0) throw new MissingError("LEROBOT_META_MISSING", "a v3.0 dataset needs meta/episodes/chunk-000/file-000.parquet", { file: folder });
  return files;
}

async function readTable(file: string, columns: string[], optional: string[] = []): Promise<Record<string, unknown>[]> {
  const table = await openLeRobotParquet(file);
  try {
    return await table.readRows([...columns, ...optional.filter((c) => table.has(c))]);
  } finally {
    await table.close();
  }
}

async function readV3(dir: string, info: LeRobotInfo): Promise<{ episodes: LeRobotEpisodeEntry[]; tasks: Map<number, string> }> {
  const tasksFile = joinLocation(dir, "meta/tasks.parquet");
  const tasks = new Map<number, string>();
  const taskTable = await openLeRobotParquet(tasksFile);
  // pandas stores the task string as the frame's index: a column named "task", or "__index_level_0__" when unnamed.
  const taskColumn = ["task", "__index_level_0__"].find((c) => taskTable.has(c));
  await taskTable.close();
  if (taskColumn === undefined) throw new MissingError("PARQUET_MISSING_COLUMN", 'tasks.parquet has no "task" column (nor a pandas index column)', { file: tasksFile, field: "task" });
  (await readTable(tasksFile, ["task_index", taskColumn])).forEach((r, row) => {
    const task = textOf(r[taskColumn]);
    if (task === null) throw new FormatError("LEROBOT_META_FIELD", "task must be a string", { file: tasksFile, row, field: taskColumn });
    tasks.set(integerField(r, "task_index", tasksFile, row), task);
  });

  const videoKeys = videoKeysOf(info);
  const videoColumns = videoKeys.flatMap((k) => [`videos/${k}/chunk_index`, `videos/${k}/file_index`, `videos/${k}/from_timestamp`]);
  const episodes: (LeRobotEpisodeEntry & { from: number })[] = [];
  for (const file of await parquetFilesUnder(joinLocation(dir, "meta/episodes"))) {
    const rows = await readTable(file, ["episode_index", "length", "data/chunk_index", "data/file_index", ...videoColumns], ["tasks", "dataset_from_index"]);
    rows.forEach((r, row) => {
      const index = integerField(r, "episode_index", file, row);
      const dataVars = { chunk_index: integerField(r, "data/chunk_index", file, row), file_index: integerField(r, "data/file_index", file, row), episode_index: index };
      const videos: LeRobotEpisodeEntry["videos"] = {};
      for (const key of videoKeys) {
        const vars = { chunk_index: integerField(r, `videos/${key}/chunk_index`, file, row), file_index: integerField(r, `videos/${key}/file_index`, file, row), video_key: key, episode_index: index };
        const from = numberOf(r[`videos/${key}/from_timestamp`]);
        if (!Number.isFinite(from) || from < 0) throw new FormatError("LEROBOT_META_FIELD", "from_timestamp must be a non-negative number", { file, row, field: `videos/${key}/from_timestamp` });
        videos[key] = { file: joinLocation(dir, insideDataset(expandPathTemplate(info.videoPath as string, vars, file), dir, "video_path")), fromTimestamp: from };
      }
      episodes.push({
        index,
        length: integerField(r, "length", file, row),
        tasks: (listOf(r.tasks) ?? []).map((t, k) => {
          // Not text (or not UTF-8): refused, never turned into some other string.
          const task = textOf(t);
          if (task === null) throw new FormatError("LEROBOT_META_FIELD", `tasks[${k}] must be a UTF-8 string`, { file, row, field: "tasks" });
          return task;
        }),
        dataFile: joinLocation(dir, insideDataset(expandPathTemplate(info.dataPath, dataVars, file), dir, "data_path")),
        rowOffset: 0,
        videos,
        from: r.dataset_from_index === undefined ? index : integerField(r, "dataset_from_index", file, row),
      });
    });
  }
  // Episodes share data files in dataset order; an episode starts after the rows of those before it in its file.
  const byFile = new Map<string, (LeRobotEpisodeEntry & { from: number })[]>();
  for (const e of episodes) byFile.set(e.dataFile, [...(byFile.get(e.dataFile) ?? []), e]);
  for (const group of byFile.values()) {
    group.sort((a, b) => a.from - b.from);
    let offset = 0;
    for (const e of group) {
      e.rowOffset = offset;
      offset += e.length;
    }
  }
  return { episodes: episodes.map(({ from: _from, ...e }) => e), tasks };
}
