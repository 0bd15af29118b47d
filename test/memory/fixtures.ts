// The inputs of the memory test, written by the project's writers: a LLaVA JSON file of `entries` entries (16
// small PNG/JPEG files shared among them) and an RLDS dataset of `episodes` Bridge-style episodes of 5 steps.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { writeRlds } from "@cotrain/robot";
import type { Episode } from "@cotrain/robot";
import { writeLlava } from "@cotrain/vqa";
import type { VqaEntry } from "@cotrain/vqa";

export const STEPS = 5;

async function jpeg(seed: number, size = 12): Promise<Uint8Array> {
  const pixels = Buffer.alloc(size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (seed * 53 + i * 29) & 0xff;
  return new Uint8Array(await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).jpeg().toBuffer());
}

export async function writeInputs(dir: string, entries: number, episodes: number): Promise<{ json: string; imageRoot: string; rlds: string }> {
  const images = await Promise.all(Array.from({ length: 16 }, (_, i) => jpeg(i)));
  const json = join(dir, "llava.json");
  const imageRoot = join(dir, "images");
  function* vqa(): Generator<VqaEntry> {
    for (let i = 0; i < entries; i++) {
      const k = i % 16;
      yield { id: `q${i}`, images: [{ path: `coco/${k}.jpg`, bytes: images[k]! }], conversations: [{ from: "human", value: `<image>\nWhat is in picture ${i}?` }, { from: "gpt", value: `Pattern number ${i % 97}.` }] };
    }
  }
  await writeLlava(json, vqa(), { imageRoot });
  writeFileSync(`${json}.count`, JSON.stringify({ rows: entries, steps: STEPS }));
  const rlds = join(dir, "bridge_dataset", "1.0.0");
  function* robot(): Generator<Episode> {
    for (let e = 0; e < episodes; e++) {
      yield {
        source: "bridge", index: e, id: `traj${e}`, length: STEPS, actionDim: 7, stateDim: 7,
        cameras: [0, 1, 2, 3].map((c) => ({ name: `image_${c}`, frames: Array.from({ length: STEPS }, (_, t) => images[(e + c + t) % 16]!) })),
        actions: Float32Array.from({ length: STEPS * 7 }, (_, i) => Math.sin(e + i) / 4),
        states: Float32Array.from({ length: STEPS * 7 }, (_, i) => Math.cos(e + i)),
        instructions: new Array<string>(STEPS).fill(e % 2 ? "put the spoon in the pot" : "open the drawer"),
      };
    }
  }
  await writeRlds(rlds, robot(), { name: "bridge_dataset", preset: "bridge", episodesPerShard: 100 });
  return { json, imageRoot, rlds };
}
