import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, batchToRows, collect } from "@cotrain/core";
import type { CanonicalRow } from "@cotrain/core";
import { openLeRobot, openRlds } from "@cotrain/robot";
import { openLlava, openParquetVqa } from "@cotrain/vqa";
import { decodeImage } from "@cotrain/vision";
import { generateWorld, makeRobotEpisode, makeVqaEntry, SYNTH_RLDS_MAPPING, WORLD_FILE } from "@cotrain/synth";
import type { WorldOptions, WorldSummary } from "@cotrain/synth";

const SMALL: WorldOptions = { seed: 7, robotEpisodes: 8, zeroShotEpisodes: 3, vqaEntries: 24, imageSize: 32, evalFraction: 0.25 };

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

async function rows(source: Parameters<typeof collect>[0]): Promise<CanonicalRow[]> {
  return (await collect(source)).flatMap((b) => batchToRows(b));
}

describe("generateWorld", () => {
  const root = mkdtempSync(join(tmpdir(), "synth-world-"));
  const out = join(root, "a");
  let world: WorldSummary;

  beforeAll(async () => {
    world = await generateWorld(out, { ...SMALL, concurrency: 1 });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("writes the documented layout and a world.json matching what it returned", () => {
    const written = [...files(out).keys()];
    for (const path of [
      "world.json",
      "robot/rlds/bridge_synth/1.0.0/dataset_info.json",
      "robot/rlds/bridge_synth/1.0.0/features.json",
      "robot/rlds/bridge_synth/1.0.0/bridge_synth-train.tfrecord-00000-of-00001",
      "robot/rlds/bridge_synth/1.0.0/bridge_synth-eval.tfrecord-00000-of-00001",
      "robot/rlds/bridge_synth/1.0.0/bridge_synth-zeroshot.tfrecord-00000-of-00001",
      "robot/lerobot/train/meta/info.json",
      "robot/lerobot/eval/data/chunk-000/episode_000000.parquet",
      "robot/lerobot/zeroshot/meta/tasks.jsonl",
      "vqa/llava/train.json",
      "vqa/llava/eval.json",
      "vqa/llava/images/train/synth_train_000000.jpg",
      "vqa/llava/images/eval/synth_eval_000005.jpg",
      "vqa/parquet/train.parquet",
      "vqa/parquet/eval.parquet",
    ]) {
      expect(written).toContain(path);
    }
    expect(written.some((p) => p.includes(".tmp-"))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, WORLD_FILE), "utf8"))).toEqual(JSON.parse(JSON.stringify(world)));
    expect(world.robot.splits.train?.episodes).toBe(6);
    expect(world.robot.splits.eval?.episodes).toBe(2);
    expect(world.robot.splits.zeroshot?.episodes).toBe(3);
    expect(world.vqa.splits.train?.entries).toBe(18);
    expect(world.vqa.splits.eval?.entries).toBe(6);
  });

  it("is byte-reproducible whatever the concurrency, and a different seed changes the data", async () => {
    const again = join(root, "b");
    const ticks: [number, number][] = [];
    await generateWorld(again, { ...SMALL, concurrency: 8, onProgress: (done, total) => ticks.push([done, total]) });
    // 8 robot episodes + 3 zero-shot + 24 VQA entries, one call each, counting up to the total.
    expect(ticks).toEqual(Array.from({ length: 35 }, (_, i) => [i + 1, 35]));
    const a = files(out);
    const b = files(again);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [path, bytes] of a) expect(b.get(path)?.equals(bytes), path).toBe(true);

    const other = join(root, "c");
    await generateWorld(other, { ...SMALL, seed: 8 });
    const c = files(other);
    for (const path of ["robot/rlds/bridge_synth/1.0.0/bridge_synth-train.tfrecord-00000-of-00001", "robot/lerobot/train/data/chunk-000/episode_000000.parquet", "vqa/llava/train.json", "vqa/parquet/train.parquet", "vqa/llava/images/train/synth_train_000000.jpg"]) {
      expect(c.get(path)?.equals(a.get(path) as Buffer), path).toBe(false);
    }
  });

  it("reads back through openRlds with the Bridge preset: counts, actions, states, instructions, images", async () => {
    const dir = join(out, world.layout.rlds?.dir as string);
    for (const split of ["train", "eval", "zeroshot"] as const) {
      const got = await rows(await openRlds(dir, { preset: "bridge", split, validateImages: "decode" }));
      const summary = world.robot.splits[split];
      expect(got.length, split).toBe(summary?.steps);
      expect(new Set(got.map((r) => r.episode_index)).size).toBe(summary?.episodes);
      const first = await makeRobotEpisode({ seed: 7, split, index: 0, size: 32 });
      const steps = got.filter((r) => r.episode_index === 0);
      expect(steps.length).toBe(first.episode.length);
      expect(steps.map((r) => Array.from(r.action ?? []))).toEqual(Array.from({ length: first.episode.length }, (_, t) => Array.from(first.episode.actions.subarray(t * 7, t * 7 + 7))));
      expect(Array.from(steps[3]?.state ?? [])).toEqual(Array.from(first.episode.states?.subarray(21, 28) ?? []));
      expect(steps[0]?.messages[0]?.content).toBe(first.task.instruction);
      expect(steps[0]?.cameras[0]).toBe("image_0");
      expect(Buffer.from(steps[2]?.images[0] as Uint8Array).equals(Buffer.from(first.episode.cameras[0]?.frames[2] as Uint8Array))).toBe(true);
      expect(steps.map((r) => r.is_last)).toEqual(steps.map((_, t) => t === steps.length - 1));
      // Bridge keeps four cameras; the three the world lacks are black frames.
      expect(steps[0]?.cameras).toEqual(["image_0", "image_1", "image_2", "image_3"]);
      const black = await decodeImage(steps[0]?.images[1] as Uint8Array);
      expect(Math.max(...black.data)).toBeLessThan(8);
    }
    const main = await rows(await openRlds(dir, { mapping: SYNTH_RLDS_MAPPING, split: "eval" }));
    expect(main.length).toBe(world.robot.splits.eval?.steps);
    expect(main.every((r) => r.cameras.length === 1 && r.cameras[0] === "image_0")).toBe(true);
  });

  it("reads back through openLeRobot, one dataset per split", async () => {
    for (const split of ["train", "eval", "zeroshot"] as const) {
      const dir = join(out, world.layout.lerobot?.[split] as string);
      const got = await rows(await openLeRobot(dir));
      expect(got.length, split).toBe(world.robot.splits[split]?.steps);
      const info = JSON.parse(readFileSync(join(dir, "meta/info.json"), "utf8")) as { total_episodes: number; codebase_version: string; features: Record<string, { shape: number[] }> };
      expect(info.codebase_version).toBe("v2.1");
      expect(info.total_episodes).toBe(world.robot.splits[split]?.episodes);
      expect(info.features["observation.images.image_0"]?.shape).toEqual([32, 32, 3]);
      const image = await decodeImage(got[0]?.images[0] as Uint8Array);
      expect([image.width, image.height]).toEqual([32, 32]);
      const second = await makeRobotEpisode({ seed: 7, split, index: 1, size: 32 });
      expect(got.filter((r) => r.episode_index === 1).map((r) => r.messages[0]?.content)).toEqual(second.episode.instructions);
    }
  });

  it("reads back through openLlava and openParquetVqa with the same conversations and images", async () => {
    for (const split of ["train", "eval"] as const) {
      const llava = await rows(await openLlava(join(out, world.layout.llava?.json[split] as string)));
      const parquet = await rows(await openParquetVqa(join(out, world.layout.parquet?.[split] as string)));
      expect(llava.length).toBe(world.vqa.splits[split]?.entries);
      expect(parquet.length).toBe(llava.length);
      const expected = await makeVqaEntry({ seed: 7, split, index: 4, size: 32 });
      for (const row of [llava[4], parquet[4]]) {
        expect(row?.kind).toBe("vqa");
        expect(row?.messages.map((m) => m.content.replace("<image>\n", ""))).toEqual(expected.conversations.map((t) => t.value.replace("<image>\n", "")));
        expect(Buffer.from(row?.images[0] as Uint8Array).equals(Buffer.from(expected.image))).toBe(true);
      }
      const turns = llava.reduce((n, r) => n + r.messages.length, 0);
      expect(turns).toBe(2 * (world.vqa.splits[split]?.questions ?? 0));
    }
  });

  it("writes only the formats asked for, and rejects bad options naming the option", async () => {
    const only = join(root, "d");
    let last: [number, number] = [0, 0];
    const w = await generateWorld(only, { ...SMALL, formats: ["llava"], robotEpisodes: 0, onProgress: (done, total) => void (last = [done, total]) });
    expect(last).toEqual([24, 24]); // the zero-shot episodes are not generated without a robot format, nor counted
    expect(w.layout.rlds).toBeNull();
    expect(w.layout.parquet).toBeNull();
    expect(readdirSync(only).sort()).toEqual(["tokenizer", "vqa", "world.json"]);
    await expect(generateWorld(join(root, "e"), { formats: ["hdf5" as "rlds"] })).rejects.toThrow(ConfigError);
    await expect(generateWorld(join(root, "e"), { evalFraction: 1 })).rejects.toThrow(/evalFraction/);
    await expect(generateWorld(join(root, "e"), { imageSize: 8 })).rejects.toThrow(/imageSize/);
  });
});

describe("regenerating into the same folder", () => {
  it("leaves no split of the previous world behind, and keeps files it does not own", async () => {
    const root = mkdtempSync(join(tmpdir(), "synth-regen-"));
    try {
      await generateWorld(root, { ...SMALL, formats: ["rlds", "lerobot", "llava"] });
      writeFileSync(join(root, "notes.txt"), "mine");
      const world = await generateWorld(root, { ...SMALL, zeroShotEpisodes: 0, evalFraction: 0, formats: ["rlds", "llava"] });
      const paths = [...files(root).keys()];
      expect(paths.filter((p) => p.includes("eval") || p.includes("zeroshot") || p.includes("lerobot"))).toEqual([]);
      expect(paths).toContain("notes.txt");
      const info = JSON.parse(readFileSync(join(root, "robot/rlds/bridge_synth/1.0.0/dataset_info.json"), "utf8")) as { splits: { name: string }[] };
      expect(info.splits.map((s) => s.name)).toEqual(["train"]);
      expect(world.robot.splits.train?.episodes).toBe(8);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
