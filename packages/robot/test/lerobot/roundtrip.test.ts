import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { batchToRows, collect } from "@cotrain/core";
import { openLeRobot, openLeRobotDataset, writeLeRobot } from "@cotrain/robot";
import type { Episode } from "@cotrain/robot";
import { runResumeTest } from "@cotrain/test-utils";
import { bridgeEpisode, droidEpisode, expectedFingerprints, fingerprintsOf, tmp } from "./fixtures.js";

let bridge: Episode[];
let droid: Episode[];
let bridgeDir: string;
let droidDir: string;

beforeAll(async () => {
  bridge = [await bridgeEpisode(0, 7), await bridgeEpisode(1, 5), await bridgeEpisode(2, 9)];
  droid = [await droidEpisode(0, 6), await droidEpisode(1, 8)];
  bridgeDir = join(tmp(), "bridge");
  droidDir = join(tmp(), "droid");
  await writeLeRobot(bridgeDir, bridge, { fps: 5, robotType: "widowx" });
  await writeLeRobot(droidDir, droid, { fps: 15, robotType: "franka" });
});

describe("writeLeRobot → openLeRobot round trip", () => {
  it("reads Bridge-like episodes back identical, images byte for byte", async () => {
    const source = await openLeRobot(bridgeDir, { batchSize: 4, source: "bridge" });
    expect(source.describe()).toBe("lerobot(bridge, v2.1, 3 episodes, cameras=[observation.images.image_0,observation.images.image_1,observation.images.image_2,observation.images.image_3], batch=4)");
    expect(await fingerprintsOf(source)).toEqual(await expectedFingerprints(bridge, 4));
    const rows = (await collect(await openLeRobot(bridgeDir, { batchSize: 100, source: "bridge" }))).flatMap(batchToRows);
    expect(rows).toHaveLength(21);
    expect(rows[7]!.cameras).toEqual(["image_0", "image_1", "image_2", "image_3"]);
    expect(Buffer.from(rows[7]!.images[2]!).equals(Buffer.from(bridge[1]!.cameras[2]!.frames[0]!))).toBe(true);
    expect(Array.from(rows[7]!.action!)).toEqual(Array.from(bridge[1]!.actions.subarray(0, 7)));
    expect(rows[7]!.messages).toEqual([{ role: "user", content: "put the spoon in the pot" }]);
    expect([rows[7]!.episode_index, rows[7]!.step_index, rows[7]!.is_first, rows[11]!.is_last]).toEqual([1, 0, true, true]);
  });

  it("reads DROID-like episodes back identical, with action chunks and per-step instructions", async () => {
    const source = await openLeRobot(droidDir, { batchSize: 5, source: "droid", chunk: 4 });
    expect(await fingerprintsOf(source)).toEqual(await expectedFingerprints(droid, 5, 4));
    const dataset = await openLeRobotDataset(droidDir, { source: "droid", extraKeys: ["action_dict.cartesian_position"] });
    const episode = await dataset.readEpisode(1);
    expect(episode.instructions).toEqual(droid[1]!.instructions);
    expect(Array.from(episode.states!)).toEqual(Array.from(droid[1]!.states!));
    expect(Array.from(episode.extras!["action_dict.cartesian_position"]!.values)).toEqual(Array.from(droid[1]!.extras!["action_dict/cartesian_position"]!.values));
  });

  it("writes the v2.1 meta files LeRobot expects", () => {
    const info = JSON.parse(readFileSync(join(droidDir, "meta/info.json"), "utf8"));
    expect(info).toMatchObject({ codebase_version: "v2.1", robot_type: "franka", fps: 15, total_episodes: 2, total_frames: 14, total_tasks: 2, chunks_size: 1000, splits: { train: "0:2" }, video_path: null });
    expect(info.data_path).toBe("data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet");
    expect(Object.keys(info.features)).toEqual([
      "observation.images.exterior_image_1_left", "observation.images.exterior_image_2_left", "observation.images.wrist_image_left",
      "observation.state", "action", "action_dict.cartesian_position", "timestamp", "frame_index", "episode_index", "index", "task_index",
    ]);
    expect(info.features["observation.images.wrist_image_left"]).toEqual({ dtype: "image", shape: [32, 32, 3], names: ["height", "width", "channel"] });
    expect(readdirSync(join(droidDir, "data/chunk-000")).sort()).toEqual(["episode_000000.parquet", "episode_000001.parquet"]);
    const lines = (f: string) => readFileSync(join(droidDir, "meta", f), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines("tasks.jsonl")).toEqual([{ task_index: 0, task: "pick up the marker" }, { task_index: 1, task: "place the marker in the cup" }]);
    expect(lines("episodes.jsonl")).toEqual([
      { episode_index: 0, tasks: ["pick up the marker", "place the marker in the cup"], length: 6 },
      { episode_index: 1, tasks: ["pick up the marker", "place the marker in the cup"], length: 8 },
    ]);
    const stats = lines("episodes_stats.jsonl");
    expect(stats.map((s) => s.episode_index)).toEqual([0, 1]);
    const action = droid[1]!.actions;
    const dim0 = Array.from({ length: 8 }, (_, t) => action[t * 7]!);
    const mean = dim0.reduce((a, b) => a + b, 0) / 8;
    expect(stats[1].stats.action.min[0]).toBe(Math.min(...dim0));
    expect(stats[1].stats.action.mean[0]).toBeCloseTo(mean, 12);
    expect(stats[1].stats.action.std[0]).toBeCloseTo(Math.sqrt(dim0.reduce((a, v) => a + (v - mean) ** 2, 0) / 8), 12);
    expect(stats[1].stats.index).toEqual({ min: [6], max: [13], mean: [9.5], std: [Math.sqrt(5.25)], count: [8] });
    const image = stats[0].stats["observation.images.exterior_image_1_left"];
    expect(image.count).toEqual([6]);
    expect(image.mean).toHaveLength(3);
    expect(image.mean[1][0][0]).toBeGreaterThan(0.7); // green channel is 200/255 in every frame
  });

  it("shuffles episodes per epoch with a seed, and shards them disjointly", async () => {
    const order = async (epoch: number, seed: number) => {
      const source = await openLeRobot(bridgeDir, { batchSize: 64, shuffleEpisodes: true, seed });
      source.reset(epoch);
      return [...new Set((await collect(source)).flatMap(batchToRows).map((r) => r.episode_index))];
    };
    const epochs = await Promise.all([0, 1, 2, 3, 4].map((e) => order(e, 3)));
    expect(epochs[0]).toEqual(await order(0, 3));
    expect(epochs.every((o) => [...o].sort().join() === "0,1,2")).toBe(true);
    expect(new Set(epochs.map((o) => o.join())).size).toBeGreaterThan(1);
    const shards = await Promise.all([0, 1].map(async (index) => (await collect(await openLeRobot(bridgeDir, { shard: { index, count: 2 } }))).flatMap(batchToRows).map((r) => r.episode_index)));
    expect([...new Set(shards[0])]).toEqual([0, 2]);
    expect([...new Set(shards[1])]).toEqual([1]);
  });

  it("resumes mid-episode from a saved state (runResumeTest)", async () => {
    // batch 4 over episodes of 7, 5, 9 steps: most checkpoints fall inside an episode.
    const report = await runResumeTest(() => openLeRobot(bridgeDir, { batchSize: 4 }), [0, 1, 2, 3, 5, 6]);
    expect(report.total).toBe(6);
    const shuffled = await runResumeTest(() => openLeRobot(droidDir, { batchSize: 3, chunk: 2, shuffleEpisodes: true, seed: 9 }));
    expect(shuffled.total).toBe(5);
  });

  it("restores without reading earlier episodes", async () => {
    const first = await openLeRobot(bridgeDir, { batchSize: 4, prefetch: 0 });
    await first.next();
    await first.next();
    const state = JSON.parse(JSON.stringify(first.state()));
    expect(state).toMatchObject({ epoch: 0, position: 1, step: 1, episodes: 3 });
    const second = await openLeRobot(bridgeDir, { batchSize: 4, prefetch: 0 });
    const read: number[] = [];
    const original = second.dataset.readEpisode.bind(second.dataset);
    (second.dataset as { readEpisode: (i: number) => Promise<Episode> }).readEpisode = (i) => (read.push(i), original(i));
    second.restore(state);
    const rows = batchToRows((await second.next())!);
    expect(rows.map((r) => [r.episode_index, r.step_index])).toEqual([[1, 1], [1, 2], [1, 3], [1, 4]]);
    expect(read).toEqual([1]);
  });
});
