import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collect, batchToRows } from "@cotrain/core";
import { openRlds, parseFeatures, readRldsEpisodes, writeRlds } from "@cotrain/robot";
import type { Episode } from "@cotrain/robot";
import { bridgeEpisode, droidEpisode, expectedFingerprints, fingerprintsOf, tmp } from "./fixtures.js";

async function readAll(dir: string, options = {}): Promise<Episode[]> {
  const out: Episode[] = [];
  for await (const e of await readRldsEpisodes(dir, options)) out.push(e);
  return out;
}

function expectSameEpisode(read: Episode, original: Episode): void {
  expect(read.id).toBe(original.id);
  expect(read.index).toBe(original.index);
  expect(read.length).toBe(original.length);
  expect(Array.from(read.actions)).toEqual(Array.from(original.actions));
  expect(read.actionDim).toBe(original.actionDim);
  expect(Array.from(read.states ?? [])).toEqual(Array.from(original.states ?? []));
  expect(read.instructions).toEqual(original.instructions);
  expect(read.cameras.map((c) => c.name)).toEqual(original.cameras.map((c) => c.name));
  read.cameras.forEach((c, k) => c.frames.forEach((f, t) => expect(Buffer.from(f).equals(Buffer.from(original.cameras[k]!.frames[t]!))).toBe(true)));
  for (const [key, value] of Object.entries(original.metadata ?? {})) expect(read.metadata?.[key]).toBe(value);
  expect(read.isFirst).toEqual(Array.from({ length: read.length }, (_, t) => t === 0));
  expect(read.isLast).toEqual(Array.from({ length: read.length }, (_, t) => t === read.length - 1));
}

describe("writeRlds → readRldsEpisodes / openRlds round trip", () => {
  it("Bridge: TFDS layout on disk, episodes identical, images byte-identical", async () => {
    const episodes = await Promise.all([5, 9, 12, 7, 20].map((n, i) => bridgeEpisode(i, n)));
    const dir = tmp();
    const result = await writeRlds(dir, episodes, { name: "bridge_dataset", preset: "bridge", shards: 2 });
    expect(result).toMatchObject({ episodes: 5, steps: 53, shardLengths: [2, 3] });
    expect(readdirSync(dir).sort()).toEqual(["bridge_dataset-train.tfrecord-00000-of-00002", "bridge_dataset-train.tfrecord-00001-of-00002", "dataset_info.json", "features.json"]);
    const info = JSON.parse(readFileSync(join(dir, "dataset_info.json"), "utf8"));
    expect(info.splits).toEqual([{ name: "train", numBytes: String(result.bytes), shardLengths: ["2", "3"], filepathTemplate: "{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}" }]);
    const features = parseFeatures(JSON.parse(readFileSync(join(dir, "features.json"), "utf8")), "features.json");
    expect(features.find((f) => f.key === "steps/observation/image_0")).toMatchObject({ kind: "image", shape: [32, 32, 3], encodingFormat: "jpeg" });
    expect(features.find((f) => f.key === "steps/action")).toMatchObject({ kind: "tensor", dtype: "float32", shape: [7] });
    expect(features.find((f) => f.key === "episode_metadata/episode_id")).toMatchObject({ scope: "episode", dtype: "int32", shape: [] });

    const read = await readAll(dir);
    expect(read).toHaveLength(5);
    read.forEach((e, i) => expectSameEpisode(e, episodes[i]!));
    expect(read[0]!.metadata).toMatchObject({ has_image_0: "true", has_language: "true" });
    expect(read[2]!.metadata).toMatchObject({ has_language: "false" });
    expect(Array.from(read[0]!.rewards!)).toEqual([0, 0, 0, 0, 1]);

    const source = await openRlds(dir, { preset: "bridge", batchSize: 8 });
    expect(await fingerprintsOf(source)).toEqual(await expectedFingerprints(episodes, 8));
  });

  it("DROID: every published key written; action, state, alternates and extras read back", async () => {
    const episodes = await Promise.all([6, 4, 9].map((n, i) => droidEpisode(i, n)));
    // The DROID preset reads cartesian_position + gripper_position as the state.
    const dir = tmp();
    await writeRlds(dir, episodes, { name: "droid", preset: "droid", shards: 2, version: "1.0.1" });
    const keys = parseFeatures(JSON.parse(readFileSync(join(dir, "features.json"), "utf8")), "f").map((f) => f.key);
    for (const key of ["steps/action", "steps/action_dict/cartesian_velocity", "steps/action_dict/joint_velocity", "steps/observation/joint_position", "steps/language_instruction_3", "steps/language_embedding_2", "steps/is_terminal", "episode_metadata/recording_folderpath"]) {
      expect(keys).toContain(key);
    }
    const read = await readAll(dir);
    read.forEach((e, i) => {
      const original = episodes[i]!;
      expectSameEpisode(e, original);
      expect(e.alternateInstructions).toEqual(original.alternateInstructions);
      for (const [key, extra] of Object.entries(original.extras!)) {
        expect(e.extras?.[key]?.dim).toBe(extra.dim);
        expect(Array.from(e.extras![key]!.values)).toEqual(Array.from(extra.values));
      }
    });
    const source = await openRlds(dir, { preset: "droid", batchSize: 5 });
    expect(await fingerprintsOf(source)).toEqual(await expectedFingerprints(episodes, 5));
  });

  it("DROID options: OpenVLA's absolute cartesian action from action_dict, joint state", async () => {
    const original = await droidEpisode(0, 4);
    const dir = tmp();
    await writeRlds(dir, [original], { name: "droid", preset: "droid" });
    const [episode] = await readAll(dir, { preset: "droid", droid: { action: "cartesian", state: "joint" } });
    const cart = original.extras!["action_dict/cartesian_position"]!.values;
    const grip = original.extras!["action_dict/gripper_position"]!.values;
    const joints = original.extras!["observation/joint_position"]!.values;
    expect(episode!.actionDim).toBe(7);
    expect(episode!.stateDim).toBe(8);
    for (let t = 0; t < 4; t++) {
      expect(Array.from(episode!.actions.subarray(t * 7, t * 7 + 7))).toEqual([...cart.subarray(t * 6, t * 6 + 6), grip[t]]);
      // joint_position then the state's gripper (the writer stored the state's last dimension there).
      expect(Array.from(episode!.states!.subarray(t * 8, t * 8 + 7))).toEqual(Array.from(joints.subarray(t * 7, t * 7 + 7)));
      expect(episode!.states![t * 8 + 7]).toBe(original.states![t * 7 + 6]);
    }
    // The published `action` is kept as an extra when it is not the action.
    expect(Array.from(episode!.extras!.action!.values)).toEqual(Array.from(original.actions));
  });

  it("a custom mapping reads and writes any RLDS dataset", async () => {
    const base = await bridgeEpisode(0, 6);
    const episode: Episode = { ...base, cameras: [{ name: "rgb", frames: base.cameras[0]!.frames }], metadata: { file_path: base.id } };
    const mapping = { cameras: ["obs/rgb"], action: ["act"], state: ["obs/proprio"], instruction: ["task"] };
    const dir = tmp();
    await writeRlds(dir, [episode], { name: "my_robot", mapping });
    const [read] = await readAll(dir, { mapping });
    expect(read!.source).toBe("my_robot");
    expectSameEpisode(read!, { ...episode, source: "my_robot" });
    await expect(readAll(dir)).rejects.toMatchObject({ code: "RLDS_OPTION" });
  });

  it("keeps other splits and leaves no temporary files", async () => {
    const dir = tmp();
    const a = await Promise.all([0, 1].map((i) => bridgeEpisode(i, 3)));
    await writeRlds(dir, a, { name: "bridge", preset: "bridge", split: "train" });
    await writeRlds(dir, a.slice(0, 1), { name: "bridge", preset: "bridge", split: "val" });
    const info = JSON.parse(readFileSync(join(dir, "dataset_info.json"), "utf8"));
    expect(info.splits.map((s: { name: string }) => s.name)).toEqual(["train", "val"]);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
    const val = await collect(await openRlds(dir, { split: "val" }));
    expect(val.flatMap((b) => batchToRows(b).map((r) => r.sample_id))).toEqual([0, 1, 2].map((t) => `${a[0]!.id}#${t}`));
    expect(existsSync(join(dir, "bridge-val.tfrecord-00000-of-00001"))).toBe(true);
  });
});
