// Regression tests for what the fuzzer (test/fuzz, target "lerobot-meta") found in the LeRobot metadata reader.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FormatError, collect } from "@cotrain/core";
import { openLeRobot, writeLeRobot } from "@cotrain/robot";
import type { OpenLeRobotOptions } from "@cotrain/robot";
import { errorOf } from "@cotrain/test-utils";
import { bridgeEpisode, tmp } from "./fixtures.js";

async function dataset(): Promise<string> {
  const dir = tmp();
  await writeLeRobot(dir, await Promise.all([0, 1, 2].map((i) => bridgeEpisode(i, 3))), { fps: 10 });
  return dir;
}

const read = async (dir: string, options: OpenLeRobotOptions = {}) => collect(await openLeRobot(dir, options));
const lines = (dir: string, name: string): Record<string, unknown>[] => readFileSync(join(dir, "meta", name), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
const writeLines = (dir: string, name: string, values: unknown[]): void => writeFileSync(join(dir, "meta", name), `${values.map((v) => JSON.stringify(v)).join("\n")}\n`);
const editInfo = (dir: string, edit: (info: Record<string, unknown>) => void): void => {
  const info = JSON.parse(readFileSync(join(dir, "meta/info.json"), "utf8")) as Record<string, unknown>;
  edit(info);
  writeFileSync(join(dir, "meta/info.json"), JSON.stringify(info));
};

describe("LeRobot metadata: fuzz findings", () => {
  it("an episode missing from episodes.jsonl is an error (total_episodes), not an episode dropped without a word", async () => {
    const dir = await dataset();
    writeLines(dir, "episodes.jsonl", lines(dir, "episodes.jsonl").slice(0, 2));
    const err = await errorOf(() => read(dir));
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ code: "LEROBOT_EPISODE_COUNT", file: join(dir, "meta/info.json"), field: "total_episodes" });
    editInfo(dir, (info) => (info.total_episodes = "3"));
    expect(await errorOf(() => read(dir))).toMatchObject({ code: "LEROBOT_INFO_FIELD", field: "total_episodes" });
  });

  it("a v2 episode whose length is shorter than its file is LEROBOT_EPISODE_LENGTH (the rest would be dropped), skippable", async () => {
    const dir = await dataset();
    const episodes = lines(dir, "episodes.jsonl");
    episodes[1]!.length = 0;
    writeLines(dir, "episodes.jsonl", episodes);
    const file = join(dir, "data/chunk-000/episode_000001.parquet");
    expect(await errorOf(() => read(dir))).toMatchObject({ code: "LEROBOT_EPISODE_LENGTH", file, field: "length" });
    const source = await openLeRobot(dir, { onError: "skip" });
    expect((await collect(source)).reduce((n, b) => n + b.numRows, 0)).toBe(6);
    expect(source.skipped()).toEqual({ LEROBOT_EPISODE_LENGTH: 1 });
  });

  it.each(["../../../etc/passwd", "/etc/passwd", "data/../../elsewhere/episode_{episode_index:06d}.parquet"])("a data_path leading out of the dataset folder (%j) is LEROBOT_INFO_FIELD, before any file is opened", async (template) => {
    const dir = await dataset();
    editInfo(dir, (info) => (info.data_path = template));
    const err = await errorOf(() => read(dir));
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ code: "LEROBOT_INFO_FIELD", file: join(dir, "meta/info.json"), field: "data_path" });
  });

  it("a shape in info.json far larger than the rows is LEROBOT_SHAPE from the first row, before steps × shape floats are allocated", async () => {
    const dir = await dataset();
    editInfo(dir, (info) => ((info.features as Record<string, { shape: number[] }>).action!.shape = [2 ** 53 - 1]));
    const err = await errorOf(() => read(dir));
    expect(err).toMatchObject({ code: "LEROBOT_SHAPE", file: join(dir, "data/chunk-000/episode_000000.parquet"), row: 0, field: "action" });
    editInfo(dir, (info) => {
      (info.features as Record<string, { shape: number[] }>).action!.shape = [7];
      info.chunks_size = 1.5;
    });
    expect(await errorOf(() => read(dir))).toMatchObject({ code: "LEROBOT_INFO_FIELD", field: "chunks_size" });
  });

  it("tasks.jsonl: a boolean task_index, a task with a lone surrogate, bytes that are not UTF-8, a line that is not an object", async () => {
    const cases: [string, (tasks: Record<string, unknown>[]) => string | Buffer, Record<string, unknown>][] = [
      ["boolean index", (t) => `${JSON.stringify({ ...t[0], task_index: false })}\n`, { code: "LEROBOT_META_FIELD", row: 0, field: "task_index" }],
      ["lone surrogate", (t) => `${JSON.stringify({ ...t[0], task: "open \ud800" })}\n`, { code: "LEROBOT_META_FIELD", row: 0, field: "task" }],
      ["not UTF-8", (t) => Buffer.concat([Buffer.from(`${JSON.stringify(t[0])}\n{"task_index": 1, "task": "a`), Buffer.from([0xff]), Buffer.from('"}\n')]), { code: "LEROBOT_META_JSON", row: 1 }],
      ["not an object", (t) => `${JSON.stringify(t[0])}\nnull\n`, { code: "LEROBOT_META_JSON", row: 1 }],
    ];
    for (const [what, content, expected] of cases) {
      const dir = await dataset();
      const file = join(dir, "meta/tasks.jsonl");
      const text = content(lines(dir, "tasks.jsonl"));
      writeFileSync(file, text);
      const err = await errorOf(() => read(dir));
      expect(err, what).toBeInstanceOf(FormatError);
      expect(err, what).toMatchObject({ file, ...expected });
      if (what === "not UTF-8") expect((err as FormatError).offset).toBe(Buffer.from(text).indexOf(0xff));
    }
  });

  it("info.json nested deeper than any metadata is LEROBOT_INFO_JSON naming the path, not a stack overflow", async () => {
    const dir = await dataset();
    const text = readFileSync(join(dir, "meta/info.json"), "utf8");
    writeFileSync(join(dir, "meta/info.json"), `{"deep": ${"[".repeat(100_000)}${"]".repeat(100_000)}, ${text.trimStart().slice(1)}`);
    const err = await errorOf(() => read(dir));
    expect(err).toBeInstanceOf(FormatError);
    expect(err).toMatchObject({ code: "LEROBOT_INFO_JSON", file: join(dir, "meta/info.json") });
    expect((err as FormatError).field).toMatch(/^deep\[0\]/);
  });
});
