import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import type { Episode } from "@cotrain/robot";
import { writeLeRobot, writeRlds } from "@cotrain/robot";
import { writeLlava, writeParquetVqa } from "@cotrain/vqa";
import type { VqaEntry } from "@cotrain/vqa";
import { runCli } from "@cotrain/cli";

/** A 32×32 JPEG of one colour (the sample world's frames are tiny too). */
export async function jpeg(rgb: [number, number, number]): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).jpeg().toBuffer());
}

export function tempDir(prefix = "cotrain-cli-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Bridge-style episodes: cameras image_0..image_3, a 7-D action (gripper last), a 7-D state, one instruction. */
export async function robotEpisodes(count: number, source = "bridge"): Promise<Episode[]> {
  const colours: [number, number, number][] = [[200, 30, 30], [30, 200, 30], [30, 30, 200], [200, 200, 30]];
  const frames = await Promise.all(colours.map(jpeg));
  return Array.from({ length: count }, (_, e) => {
    const length = 3 + (e % 3);
    return {
      source,
      index: e,
      id: `traj${e}`,
      length,
      cameras: [0, 1, 2, 3].map((c) => ({ name: `image_${c}`, frames: Array.from({ length }, (_, t) => frames[(e + t + c) % frames.length] as Uint8Array) })),
      actions: Float32Array.from({ length: length * 7 }, (_, i) => (i % 7 === 6 ? Math.floor(i / 7) % 2 : Math.round(Math.sin(e * 10 + i) * 100) / 1000)),
      actionDim: 7,
      states: Float32Array.from({ length: length * 7 }, (_, i) => Math.round(Math.cos(e + i) * 100) / 100),
      stateDim: 7,
      instructions: new Array<string>(length).fill(["pick up the red block", "push the blue cup left", "open the drawer"][e % 3] as string),
    };
  });
}

/** An RLDS dataset folder `<root>/bridge_dataset/1.0.0` with `shards` TFRecord files; returns the dataset folder (parent of the version). */
export async function writeRldsFixture(root: string, episodes: Episode[], shards = 2): Promise<{ datasetDir: string; versionDir: string }> {
  const datasetDir = join(root, "bridge_dataset");
  const versionDir = join(datasetDir, "1.0.0");
  await writeRlds(versionDir, episodes, { name: "bridge_dataset", preset: "bridge", shards });
  return { datasetDir, versionDir };
}

/** A LeRobot v2.1 folder with one camera ("top") and the same actions/states. */
export async function writeLeRobotFixture(dir: string, episodes: Episode[]): Promise<string> {
  const oneCamera = episodes.map((e) => ({ ...e, source: "lerobot_demo", cameras: [{ name: "top", frames: e.cameras[0]!.frames }] }));
  await writeLeRobot(dir, oneCamera, { fps: 10, robotType: "demo_arm" });
  return dir;
}

export async function vqaEntries(count: number): Promise<VqaEntry[]> {
  const colours: [string, [number, number, number]][] = [["red", [220, 20, 20]], ["green", [20, 220, 20]], ["blue", [20, 20, 220]]];
  const images = await Promise.all(colours.map(([, rgb]) => jpeg(rgb)));
  return Array.from({ length: count }, (_, i) => {
    const k = i % colours.length;
    if (i % 5 === 4) return { id: `q${i}`, images: [], conversations: [{ from: "human", value: `Say the number ${i}.` }, { from: "gpt", value: String(i) }] };
    return {
      id: `q${i}`,
      images: [{ path: `scenes/${colours[k]![0]}.jpg`, bytes: images[k] as Uint8Array }],
      conversations: [
        { from: "human", value: "<image>\nWhat colour is the square?" },
        { from: "gpt", value: colours[k]![0] },
        ...(i % 3 === 0 ? ([{ from: "human", value: "Is it a square?" }, { from: "gpt", value: "Yes." }] as const) : []),
      ],
    };
  });
}

export async function writeLlavaFixture(dir: string, entries: VqaEntry[]): Promise<string> {
  const json = join(dir, "vqa.json");
  await writeLlava(json, entries, { imageRoot: dir });
  return json;
}

export async function writeParquetFixture(path: string, entries: VqaEntry[]): Promise<string> {
  await writeParquetVqa(path, entries);
  return path;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process, capturing what it prints. */
export async function cli(...argv: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

export function writeJson(path: string, value: unknown): string {
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}
