import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { FormatError, MissingError } from "@cotrain/core";
import { readLeRobotInfo } from "./info.js";
import type { LeRobotInfo } from "./info.js";
import { ParquetFile } from "./parquet-file.js";
import { listOf, numberOf, stringOf } from "./parquet-values.js";
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
    if (episodes[i]!.index === episodes[i - 1]!.index) throw new FormatError("LEROBOT_EPISODE_DUPLICATE", `episode ${episodes[i]!.index} is listed twice`, { file: join(dir, "meta"), row: i });
  }
  return { dir, info, episodes, tasks };
}

const videoKeysOf = (info: LeRobotInfo): string[] => Object.entries(info.features).filter(([, f]) => f.dtype === "video").map(([k]) => k);

async function readJsonLines(file: string): Promise<{ line: number; value: Record<string, unknown> }[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new MissingError("LEROBOT_META_MISSING", "a required metadata file is missing", { file, cause });
  }
  const out: { line: number; value: Record<string, unknown> }[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      out.push({ line: i, value: JSON.parse(line) as Record<string, unknown> });
    } catch (cause) {
      throw new FormatError("LEROBOT_META_JSON", `line ${i + 1} is not valid JSON: ${(cause as Error).message}`, { file, row: i, cause });
    }
  });
  return out;
}

function integerField(value: Record<string, unknown>, key: string, file: string, row: number): number {
  const n = numberOf(value[key]);
  if (!Number.isInteger(n) || n < 0) throw new FormatError("LEROBOT_META_FIELD", `${key} must be a non-negative integer, got ${JSON.stringify(String(value[key]))}`, { file, row, field: key });
  return n;
}

async function readV2(dir: string, info: LeRobotInfo): Promise<{ episodes: LeRobotEpisodeEntry[]; tasks: Map<number, string> }> {
  const tasksFile = join(dir, "meta/tasks.jsonl");
  const tasks = new Map<number, string>();
  for (const { line, value } of await readJsonLines(tasksFile)) {
    if (typeof value.task !== "string") throw new FormatError("LEROBOT_META_FIELD", "task must be a string", { file: tasksFile, row: line, field: "task" });
    tasks.set(integerField(value, "task_index", tasksFile, line), value.task);
  }
  const episodesFile = join(dir, "meta/episodes.jsonl");
  const videoKeys = videoKeysOf(info);
  const entries = await readJsonLines(episodesFile);
  const episodes = entries.map(({ line, value }) => {
    const index = integerField(value, "episode_index", episodesFile, line);
    const chunk = Math.floor(index / info.chunksSize);
    const vars = { episode_chunk: chunk, episode_index: index, total_episodes: info.totalEpisodes };
    const videos: LeRobotEpisodeEntry["videos"] = {};
    for (const key of videoKeys) videos[key] = { file: join(dir, expandPathTemplate(info.videoPath as string, { ...vars, video_key: key })), fromTimestamp: 0 };
    return {
      index,
      length: integerField(value, "length", episodesFile, line),
      tasks: Array.isArray(value.tasks) ? value.tasks.map(String) : [],
      dataFile: join(dir, expandPathTemplate(info.dataPath, vars)),
      rowOffset: 0,
      videos,
    };
  });
  return { episodes, tasks };
}

async function parquetFilesUnder(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder, { recursive: true });
  } catch (cause) {
    throw new MissingError("LEROBOT_META_MISSING", "a v3.0 dataset needs meta/episodes/ with Parquet files", { file: folder, cause });
  }
  return names.filter((n) => n.endsWith(".parquet")).sort().map((n) => join(folder, n));
}

async function readTable(file: string, columns: string[], optional: string[] = []): Promise<Record<string, unknown>[]> {
  const table = await ParquetFile.open(file);
  try {
    return await table.readRows([...columns, ...optional.filter((c) => table.has(c))]);
  } finally {
    await table.close();
  }
}

async function readV3(dir: string, info: LeRobotInfo): Promise<{ episodes: LeRobotEpisodeEntry[]; tasks: Map<number, string> }> {
  const tasksFile = join(dir, "meta/tasks.parquet");
  const tasks = new Map<number, string>();
  const taskTable = await ParquetFile.open(tasksFile);
  // pandas stores the task string as the frame's index: a column named "task", or "__index_level_0__" when unnamed.
  const taskColumn = ["task", "__index_level_0__"].find((c) => taskTable.has(c));
  await taskTable.close();
  if (taskColumn === undefined) throw new MissingError("PARQUET_MISSING_COLUMN", 'tasks.parquet has no "task" column (nor a pandas index column)', { file: tasksFile, field: "task" });
  (await readTable(tasksFile, ["task_index", taskColumn])).forEach((r, row) => {
    const task = stringOf(r[taskColumn]);
    if (task === null) throw new FormatError("LEROBOT_META_FIELD", "task must be a string", { file: tasksFile, row, field: taskColumn });
    tasks.set(integerField(r, "task_index", tasksFile, row), task);
  });

  const videoKeys = videoKeysOf(info);
  const videoColumns = videoKeys.flatMap((k) => [`videos/${k}/chunk_index`, `videos/${k}/file_index`, `videos/${k}/from_timestamp`]);
  const episodes: (LeRobotEpisodeEntry & { from: number })[] = [];
  for (const file of await parquetFilesUnder(join(dir, "meta/episodes"))) {
    const rows = await readTable(file, ["episode_index", "length", "data/chunk_index", "data/file_index", ...videoColumns], ["tasks", "dataset_from_index"]);
    rows.forEach((r, row) => {
      const index = integerField(r, "episode_index", file, row);
      const dataVars = { chunk_index: integerField(r, "data/chunk_index", file, row), file_index: integerField(r, "data/file_index", file, row), episode_index: index };
      const videos: LeRobotEpisodeEntry["videos"] = {};
      for (const key of videoKeys) {
        const vars = { chunk_index: integerField(r, `videos/${key}/chunk_index`, file, row), file_index: integerField(r, `videos/${key}/file_index`, file, row), video_key: key, episode_index: index };
        const from = numberOf(r[`videos/${key}/from_timestamp`]);
        if (!Number.isFinite(from) || from < 0) throw new FormatError("LEROBOT_META_FIELD", "from_timestamp must be a non-negative number", { file, row, field: `videos/${key}/from_timestamp` });
        videos[key] = { file: join(dir, expandPathTemplate(info.videoPath as string, vars, file)), fromTimestamp: from };
      }
      episodes.push({
        index,
        length: integerField(r, "length", file, row),
        tasks: (listOf(r.tasks) ?? []).map((t) => stringOf(t) ?? String(t)),
        dataFile: join(dir, expandPathTemplate(info.dataPath, dataVars, file)),
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
