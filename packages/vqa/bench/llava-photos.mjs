// LLaVA reader throughput as a training job uses it, imported by bench/run.mjs and runnable alone:
//   node packages/vqa/bench/llava-photos.mjs        (after building @cotrain/vqa)
// A 20k-entry LLaVA JSON over 320 photo-like 640×480 JPEG files (16 distinct photos, each written 20 times, so
// generation stays a few seconds). The full reader (openLlava with its defaults: validateImages "header",
// concurrency 16; batches of 32) beside its parse-only floor in the same run: the same streaming JSON parser over
// the same 256 KiB chunks, plus reading every entry's image files (32 entries' files at a time), no rows built.
import { readFile } from "node:fs";
import { open } from "node:fs/promises";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Tokenizer, TokenParser } from "@streamparser/json";
import { openLlava } from "@cotrain/vqa";
import { photoLikeJpeg } from "../../vision/bench/photo.mjs";
import { measure, report } from "../../../tools/lib/bench-report.mjs";

const ENTRIES = 20_000;
const FILES = 320;
const DISTINCT = 16;
const BATCH = 32;

const readWhole = (path) => new Promise((resolve, reject) => readFile(path, (error, data) => (error ? reject(error) : resolve(data))));

/** The parse-only floor: stream-parse the JSON and read each entry's image files; returns entries seen. */
async function parseAndRead(file, imageRoot) {
  const handle = await open(file, "r");
  const buffer = Buffer.allocUnsafe(1 << 18);
  const tokenizer = new Tokenizer();
  const parser = new TokenParser({ paths: ["$.*"], keepStack: false });
  let pending = [];
  let entries = 0;
  tokenizer.onToken = (t) => parser.write(t);
  parser.onValue = ({ value }) => pending.push(value);
  try {
    for (let at = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, at);
      if (bytesRead === 0) break;
      at += bytesRead;
      tokenizer.write(buffer.subarray(0, bytesRead));
      while (pending.length >= BATCH) {
        const batch = pending.splice(0, BATCH);
        entries += batch.length;
        await Promise.all(batch.filter((e) => e.image).map((e) => readWhole(join(imageRoot, e.image))));
      }
    }
    entries += pending.length;
    await Promise.all(pending.filter((e) => e.image).map((e) => readWhole(join(imageRoot, e.image))));
  } finally {
    await handle.close();
  }
  return entries;
}

async function readAll(file, options = {}) {
  const source = openLlava(file, { batchSize: BATCH, ...options });
  let rows = 0;
  for (let b = await source.next(); b !== null; b = await source.next()) rows += b.numRows;
  await source.close();
  return rows;
}

export async function benchLlavaPhotos() {
  const dir = mkdtempSync(join(tmpdir(), "cotrain-vqa-photos-"));
  try {
    const started = Date.now();
    mkdirSync(join(dir, "photos"));
    const photos = await Promise.all(Array.from({ length: DISTINCT }, (_, k) => photoLikeJpeg(640, 480, k, 90)));
    for (let f = 0; f < FILES; f++) writeFileSync(join(dir, "photos", `${f}.jpg`), photos[f % DISTINCT]);
    // Shaped like llava_v1_5_mix665k: most entries one image, a quarter text-only, a third multi-turn.
    const entries = Array.from({ length: ENTRIES }, (_, i) => {
      const turns = [
        { from: "human", value: `<image>\nWhat is happening in photo ${i}?` },
        { from: "gpt", value: "A person is walking a dog along a tree-lined street on a sunny afternoon." },
      ];
      if (i % 3 === 0) turns.push({ from: "human", value: "What colour is the dog?" }, { from: "gpt", value: "The dog is brown with a white patch." });
      return i % 4 === 3 ? { id: String(i), conversations: turns.map((t) => ({ ...t, value: t.value.replace("<image>\n", "") })) } : { id: String(i), image: `photos/${(i * 7) % FILES}.jpg`, conversations: turns };
    });
    const file = join(dir, "llava_photos.json");
    writeFileSync(file, JSON.stringify(entries));
    const imageBytes = photos.reduce((n, p) => n + p.length, 0) / DISTINCT;
    console.error(`LLaVA photos: ${ENTRIES} entries, ${FILES} JPEG files of ${(imageBytes / 1024).toFixed(0)} KiB on average, generated in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const floor = await measure(async () => {
      const n = await parseAndRead(file, dir);
      if (n !== ENTRIES) throw new Error(`parsed ${n} entries`);
      return n;
    }, { minMs: 3000 });
    const ours = await measure(async () => {
      const n = await readAll(file);
      if (n !== ENTRIES) throw new Error(`read ${n} rows`);
      return n;
    }, { minMs: 3000 });
    const asyncReads = await measure(async () => {
      const n = await readAll(file, { fileThread: false });
      if (n !== ENTRIES) throw new Error(`read ${n} rows`);
      return n;
    }, { minMs: 3000 });
    return [
      {
        name: `openLlava → batches of ${BATCH}, fileThread false (files read asynchronously on the reader's thread)`,
        value: asyncReads.perSecond,
        unit: "rows/s",
        baseline: "streaming JSON parse + reading the image files",
        baselineValue: floor.perSecond,
      },
      {
        name: `openLlava → batches of ${BATCH}, defaults (${ENTRIES / 1000}k entries, 640×480 JPEG files, ${(statSync(file).size / 1e6).toFixed(1)} MB JSON)`,
        value: ours.perSecond,
        unit: "rows/s",
        baseline: "streaming JSON parse + reading the image files",
        baselineValue: floor.perSecond,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  report("@cotrain/vqa (LLaVA photos)", await benchLlavaPhotos());
}
