import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeShards } from "@cotrain/core";
import { openRlds } from "@cotrain/robot";
import { runResumeTest } from "@cotrain/test-utils";
import { BUILTIN_FORMAT_NAMES, detectFormat, formatNames, getFormat, openInput } from "@cotrain/cli";
import { robotEpisodes, tempDir, vqaEntries, writeLeRobotFixture, writeLlavaFixture, writeParquetFixture, writeRldsFixture } from "./fixtures.js";

describe("format registry and detection", () => {
  const root = tempDir("cotrain-cli-formats-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const paths: Record<string, string> = {};

  beforeAll(async () => {
    const episodes = await robotEpisodes(4);
    const rlds = await writeRldsFixture(root, episodes);
    paths.rldsVersion = rlds.versionDir;
    paths.rldsParent = rlds.datasetDir;
    paths.lerobot = await writeLeRobotFixture(join(root, "lerobot"), episodes);
    const entries = await vqaEntries(7);
    paths.llava = await writeLlavaFixture(root, entries);
    paths.parquetFile = await writeParquetFixture(join(root, "vqa.parquet"), entries);
    mkdirSync(join(root, "pq-dir"));
    await writeParquetFixture(join(root, "pq-dir", "train-00000.parquet"), entries.slice(0, 4));
    await writeParquetFixture(join(root, "pq-dir", "train-00001.parquet"), entries.slice(4));
    paths.parquetDir = join(root, "pq-dir");
    paths.shards = join(root, "shards");
    await writeShards(await openRlds(rlds.versionDir, { batchSize: 4 }), paths.shards);
  });

  it("registers the five formats by name", () => {
    expect(formatNames()).toEqual(["rlds", "lerobot", "shards", "llava", "parquet-vqa"]);
    expect(formatNames()).toEqual([...BUILTIN_FORMAT_NAMES]); // the list --help prints without loading the readers
    expect(() => getFormat("tfds")).toThrow(/unknown format "tfds"; known formats: rlds, lerobot, shards, llava, parquet-vqa/);
  });

  it.each([
    ["rldsVersion", "rlds", "rldsVersion"],
    ["rldsParent", "rlds", "rldsVersion"],
    ["lerobot", "lerobot", "lerobot"],
    ["shards", "shards", "shards"],
    ["llava", "llava", "llava"],
    ["parquetFile", "parquet-vqa", "parquetFile"],
    ["parquetDir", "parquet-vqa", "parquetDir"],
  ])("detects %s as %s", async (key, format, opened) => {
    const found = await detectFormat(paths[key] as string);
    expect(found.format.name).toBe(format);
    expect(found.path).toBe(paths[opened]);
  });

  it("detects a manifest file as shards", async () => {
    expect((await detectFormat(join(paths.shards as string, "manifest.json"))).format.name).toBe("shards");
  });

  it("refuses a folder it cannot tell, and a missing path, naming the path", async () => {
    const empty = join(root, "empty");
    mkdirSync(empty);
    await expect(detectFormat(empty)).rejects.toMatchObject({ code: "FORMAT_UNKNOWN", file: empty });
    await expect(detectFormat(join(root, "nope"))).rejects.toMatchObject({ code: "INPUT_MISSING", file: join(root, "nope") });
  });

  it("refuses a dataset folder with several RLDS versions", async () => {
    const two = join(root, "two_versions");
    for (const v of ["1.0.0", "1.1.0"]) {
      mkdirSync(join(two, v), { recursive: true });
      writeFileSync(join(two, v, "dataset_info.json"), "{}");
      writeFileSync(join(two, v, "features.json"), "{}");
    }
    await expect(detectFormat(two)).rejects.toMatchObject({ code: "RLDS_SEVERAL_VERSIONS" });
  });

  it("checks options against the format's schema, naming the key", async () => {
    await expect(openInput({ path: paths.rldsVersion as string, options: { batchsize: 4 } })).rejects.toThrow(/field "options\.batchsize": unknown key "batchsize"/);
    await expect(openInput({ path: paths.llava as string, options: { batchSize: 0 } }, { field: "sources.web" })).rejects.toMatchObject({ code: "CONFIG_INVALID", field: "sources.web.options.batchSize" });
  });

  it.each(["rldsParent", "lerobot", "shards", "llava", "parquetDir"])("opens %s as a resumable source", async (key) => {
    const report = await runResumeTest(async () => (await openInput({ path: paths[key] as string, options: {} }, { batchSize: 3 })).source);
    expect(report.total).toBeGreaterThan(1);
  });
});
