// Bad input: every case raises a typed error naming file, row and column; onError "skip" drops the episode and
// counts it by reason.
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError, FormatError, ImageError, MissingError, StateError, ValueError, batchToRows, collect } from "@cotrain/core";
import { openLeRobot, writeLeRobot } from "@cotrain/robot";
import { runResumeTest, errorOf } from "@cotrain/test-utils";
import type { DuckDBConnection } from "@duckdb/node-api";
import { bridgeEpisode, duckdb, rewriteParquet, tmp } from "./fixtures.js";

let conn: DuckDBConnection;
let clean: string;
const file = (dir: string, episode: number): string => join(dir, `data/chunk-000/episode_${String(episode).padStart(6, "0")}.parquet`);

beforeAll(async () => {
  conn = await duckdb();
  clean = join(tmp(), "clean");
  await writeLeRobot(clean, [await bridgeEpisode(0, 5), await bridgeEpisode(1, 6), await bridgeEpisode(2, 4)], { fps: 5 });
});

function copy(): string {
  const dir = join(tmp(), "bad");
  cpSync(clean, dir, { recursive: true });
  return dir;
}


const readAll = async (dir: string, options = {}) => (await collect(await openLeRobot(dir, options))).flatMap(batchToRows);

describe("LeRobot bad input", () => {
  it("a missing Parquet column: MissingError naming the file and column", async () => {
    const dir = copy();
    await rewriteParquet(conn, file(dir, 1), (src) => `SELECT * EXCLUDE (action) FROM ${src}`);
    const error = await errorOf(() => readAll(dir));
    expect(error).toBeInstanceOf(MissingError);
    expect([error.code, error.file, error.field]).toEqual(["PARQUET_MISSING_COLUMN", file(dir, 1), "action"]);
  });

  it("a list length that disagrees with info.json: ValueError naming file, row and column", async () => {
    const dir = copy();
    await rewriteParquet(conn, file(dir, 1), (src) => `SELECT * REPLACE (CASE WHEN frame_index = 3 THEN action[1:6] ELSE action END AS action) FROM ${src}`);
    const error = await errorOf(() => readAll(dir));
    expect(error).toBeInstanceOf(ValueError);
    expect([error.code, error.file, error.row, error.field]).toEqual(["LEROBOT_SHAPE", file(dir, 1), 3, "action"]);
    expect(error.message).toContain("6 values");
    expect(error.message).toContain("[7]");
  });

  it("a non-finite action: ValueError naming file, row and column", async () => {
    const dir = copy();
    await rewriteParquet(conn, file(dir, 2), (src) => `SELECT * REPLACE (CASE WHEN frame_index = 2 THEN list_concat(['NaN'::FLOAT], action[2:]) ELSE action END AS action) FROM ${src}`);
    const error = await errorOf(() => readAll(dir));
    expect(error).toBeInstanceOf(ValueError);
    expect([error.code, error.file, error.row, error.field]).toEqual(["NON_FINITE", file(dir, 2), 2, "action"]);
  });

  it("unreadable image bytes: ImageError naming file, row and image column", async () => {
    const dir = copy();
    await rewriteParquet(conn, file(dir, 0), (src) =>
      `SELECT * REPLACE (CASE WHEN frame_index = 4 THEN {'bytes': from_hex('0001020304050607'), 'path': NULL::VARCHAR} ELSE "observation.images.image_1" END AS "observation.images.image_1") FROM ${src}`);
    const error = await errorOf(() => readAll(dir));
    expect(error).toBeInstanceOf(ImageError);
    expect([error.code, error.file, error.row, error.field]).toEqual(["IMAGE_UNREADABLE", file(dir, 0), 4, "observation.images.image_1"]);
  });

  it("checkImages \"decode\" catches a JPEG whose scan data is cut out, which the header check lets through", async () => {
    const dir = copy();
    const jpeg = Buffer.from((await bridgeEpisode(0, 1)).cameras[0]!.frames[0]!);
    const cut = Buffer.concat([jpeg.subarray(0, 200), jpeg.subarray(jpeg.length - 2)]).toString("hex");
    await rewriteParquet(conn, file(dir, 2), (src) =>
      `SELECT * REPLACE (CASE WHEN frame_index = 1 THEN {'bytes': from_hex('${cut}'), 'path': NULL::VARCHAR} ELSE "observation.images.image_0" END AS "observation.images.image_0") FROM ${src}`);
    expect(await readAll(dir)).toHaveLength(15);
    const error = await errorOf(() => readAll(dir, { checkImages: "decode" }));
    expect(error).toBeInstanceOf(ImageError);
    expect([error.file, error.row, error.field]).toEqual([file(dir, 2), 1, "observation.images.image_0"]);
  });

  it("meta that disagrees with the data: wrong length, unknown task, missing file", async () => {
    const dir = copy();
    const episodes = join(dir, "meta/episodes.jsonl");
    writeFileSync(episodes, readFileSync(episodes, "utf8").replace('"length":6', '"length":7'));
    let error = await errorOf(() => readAll(dir));
    expect(error).toBeInstanceOf(FormatError);
    expect([error.code, error.file]).toEqual(["LEROBOT_EPISODE_LENGTH", file(dir, 1)]);

    const dir2 = copy();
    await rewriteParquet(conn, file(dir2, 0), (src) => `SELECT * REPLACE (CASE WHEN frame_index = 1 THEN 9 ELSE task_index END AS task_index) FROM ${src}`);
    error = await errorOf(() => readAll(dir2));
    expect([error.code, error.file, error.row, error.field]).toEqual(["LEROBOT_TASK_UNKNOWN", file(dir2, 0), 1, "task_index"]);

    const dir3 = copy();
    rmSync(file(dir3, 2));
    error = await errorOf(() => readAll(dir3));
    expect(error).toBeInstanceOf(MissingError);
    expect([error.code, error.file]).toEqual(["LEROBOT_FILE_MISSING", file(dir3, 2)]);
  });

  it("onError \"skip\" drops bad episodes, counts them by reason, and resumes with the counts", async () => {
    const dir = copy();
    await rewriteParquet(conn, file(dir, 0), (src) => `SELECT * REPLACE (CASE WHEN frame_index = 2 THEN list_concat(['Infinity'::FLOAT], action[2:]) ELSE action END AS action) FROM ${src}`);
    rmSync(file(dir, 2));
    const source = await openLeRobot(dir, { onError: "skip", batchSize: 4 });
    const rows = (await collect(source)).flatMap(batchToRows);
    expect([...new Set(rows.map((r) => r.episode_index))]).toEqual([1]);
    expect(rows).toHaveLength(6);
    expect(source.skipped()).toEqual({ NON_FINITE: 1, LEROBOT_FILE_MISSING: 1 });
    expect(source.state()).toMatchObject({ skipped: { NON_FINITE: 1, LEROBOT_FILE_MISSING: 1 } });
    await runResumeTest(() => openLeRobot(dir, { onError: "skip", batchSize: 4 }));
  });

  it("bad options and mismatched states fail loudly", async () => {
    await expect(openLeRobot(clean, { cameras: ["observation.images.nope"] })).rejects.toBeInstanceOf(ConfigError);
    await expect(openLeRobot(clean, { actionKeys: ["observation.images.image_0"] })).rejects.toThrow(/dtype image/);
    await expect(openLeRobot(clean, { batchSize: 0 })).rejects.toThrow(/batchSize/);
    const source = await openLeRobot(clean, { shard: { index: 0, count: 2 } });
    expect(() => source.restore({ epoch: 0, position: 0, step: 0, episodes: 3, skipped: {} })).toThrow(StateError);
    source.restore({ epoch: 0, position: 0, step: 99, episodes: 2, skipped: {} });
    await expect(source.next()).rejects.toBeInstanceOf(StateError);
  });
});
