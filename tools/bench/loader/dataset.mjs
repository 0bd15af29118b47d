// The loader benchmark's data set: LLaVA-style instruct JSON over COCO-size 640×480 photo-like JPEGs, generated
// from a seed (never committed) and cached under bench/data/ keyed by its configuration, so a rerun reuses it.
// Images: a few photo-like base pictures (vision's bench generator: lighting, shapes, texture, sensor noise) cut at
// seeded offsets, mirrored and re-lit, so every file is a distinct JPEG of real-photo size (~150 KB at quality 95).
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { Rng } from "@cotrain/core";
import { photoLikePixels } from "../../../packages/vision/bench/photo.mjs";

const WORDS = "the a red blue green white black cup block bowl plate man woman dog cat bus car tree sky table chair holding sitting standing next to near on in under left right small large".split(" ");

/** Writes (or finds) the data set; returns {json, imageRoot, entries, images, bytes}. */
export async function loaderDataset(root, { entries = 20000, images = 2000, width = 640, height = 480, seed = 0, bases = 48 } = {}) {
  const config = { entries, images, width, height, seed, bases, version: 1 };
  const dir = join(root, `llava-${entries}x${images}-${width}x${height}-s${seed}`);
  const stamp = join(dir, "dataset.json");
  if (existsSync(stamp) && JSON.stringify(JSON.parse(readFileSync(stamp, "utf8")).config) === JSON.stringify(config)) return JSON.parse(readFileSync(stamp, "utf8"));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "images"), { recursive: true });
  const rng = Rng.from(seed, "loader-dataset");
  const margin = 64;
  const baseW = width + margin;
  const baseH = height + margin;
  const basePixels = [];
  for (let b = 0; b < bases; b++) basePixels.push(photoLikePixels(baseW, baseH, 1000 + seed * 997 + b));
  let bytes = 0;
  const names = Array.from({ length: images }, (_, i) => `coco_${String(i).padStart(6, "0")}.jpg`);
  let next = 0;
  const encodeOne = async () => {
    while (next < images) {
      const i = next++;
      const r = Rng.from(seed, "image", i);
      const raw = basePixels[i % bases];
      let img = sharp(raw, { raw: { width: baseW, height: baseH, channels: 3 } }).extract({ left: r.int(margin), top: r.int(margin), width, height });
      if (r.float() < 0.5) img = img.flop();
      img = img.modulate({ brightness: r.uniform(0.8, 1.2), saturation: r.uniform(0.8, 1.2) });
      const jpeg = await img.jpeg({ quality: 95 }).toBuffer();
      bytes += jpeg.length;
      writeFileSync(join(dir, "images", names[i]), jpeg);
    }
  };
  await Promise.all(Array.from({ length: 4 }, encodeOne));
  const sentence = (n) => Array.from({ length: n }, () => WORDS[rng.int(WORDS.length)]).join(" ");
  const lines = [];
  for (let i = 0; i < entries; i++) {
    const textOnly = rng.int(10) === 0;
    const turns = 1 + rng.int(3);
    const conversations = [];
    for (let t = 0; t < turns; t++) {
      const q = `${sentence(4 + rng.int(10))}?`;
      conversations.push({ from: "human", value: t === 0 && !textOnly ? `<image>\n${q}` : q });
      conversations.push({ from: "gpt", value: `${sentence(3 + rng.int(25))}.` });
    }
    const entry = textOnly ? { id: `e${i}`, conversations } : { id: `e${i}`, image: `images/${names[rng.int(images)]}`, conversations };
    lines.push(JSON.stringify(entry));
  }
  const json = join(dir, "llava.json");
  writeFileSync(`${json}.tmp`, `[\n${lines.join(",\n")}\n]\n`);
  renameSync(`${json}.tmp`, json);
  const info = { config, json, imageRoot: dir, entries, images, imageBytes: bytes };
  writeFileSync(stamp, JSON.stringify(info, null, 2));
  return info;
}
