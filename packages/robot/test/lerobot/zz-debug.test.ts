import { join } from "node:path";
import { it } from "vitest";
import { batchToRows, collect } from "@cotrain/core";
import * as robot from "@cotrain/robot";
import { duckdb, tmp, writeJson, writeJsonLines, image } from "./fixtures.js";
it("debug", async () => {
  const conn = await duckdb();
  const dir = tmp();
  const img = Buffer.from(await image("jpeg", 10, 20, 30)).toString("hex");
  const f = join(dir, "data/chunk-000/episode_000000.parquet");
  const { mkdirSync } = await import("node:fs"); mkdirSync(join(dir, "data/chunk-000"), { recursive: true });
  await conn.run(`COPY (SELECT [0.5, 0.25]::FLOAT[] AS action, 0::BIGINT AS episode_index, 0::BIGINT AS task_index, {'bytes': from_hex('${img}'), 'path': NULL::VARCHAR} AS "observation.images.top" FROM range(40)) TO '${f}' (FORMAT parquet, PARQUET_VERSION V2)`);
  console.log((await conn.runAndReadAll(`SELECT path_in_schema, compression, encodings FROM parquet_metadata('${f}')`)).getRowObjectsJS());
  writeJson(join(dir, "meta/info.json"), { codebase_version: "v2.1", fps: 5, chunks_size: 1000, data_path: "data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet", video_path: null, features: { "observation.images.top": { dtype: "image", shape: [32, 32, 3] }, action: { dtype: "float32", shape: [2] } } });
  writeJsonLines(join(dir, "meta/tasks.jsonl"), [{ task_index: 0, task: "t" }]);
  writeJsonLines(join(dir, "meta/episodes.jsonl"), [{ episode_index: 0, tasks: ["t"], length: 40 }]);
  const got = (await collect(await robot.openLeRobot(dir, { source: "x" }))).flatMap(batchToRows);
  console.log(got.length, got[39]?.action, got[39]?.images[0]?.length, img.length / 2);
});
