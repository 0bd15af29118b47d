// VQA benchmarks: streaming a generated 100k-entry LLaVA JSON file with openLlava, beside the raw read of the
// same bytes, JSON.parse of the whole file and the bare streaming parser, all in the same run; and the peak RSS
// while streaming with a shuffle buffer (in a fresh child process, so the baseline is clean) beside JSON.parse's.
// The big passes are timed once each, to keep the run near a minute. Then the reader as a training job uses it
// over 640×480 JPEG files, beside its parse-and-read floor (bench/llava-photos.mjs). Run: npm run bench -- vqa
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { Tokenizer, TokenParser } from "@streamparser/json";
import { openLlava, writeLlava } from "@cotrain/vqa";
import { measure, report } from "../../../tools/lib/bench-report.mjs";
import { benchLlavaPhotos } from "./llava-photos.mjs";

const ENTRIES = 100_000;
const SHUFFLE = { bufferSize: 1024, seed: 1 };

async function timeOnce(fn) {
  const start = process.hrtime.bigint();
  const units = await fn();
  return { perSecond: units / (Number(process.hrtime.bigint() - start) / 1e9) };
}

async function drain(source, limit = Infinity) {
  let rows = 0;
  for (let b = await source.next(); b !== null && rows < limit; b = rows < limit ? await source.next() : null) rows += b.numRows;
  await source.close();
  return rows;
}

// Child mode: stream (or JSON.parse) the file; print entries/s and the peak RSS above this process's baseline.
if (process.argv[2] === "--rss") {
  const [, , , mode, file, imageRoot] = process.argv;
  const baseline = process.memoryUsage().rss;
  const timed = await timeOnce(async () =>
    mode === "stream" ? drain(openLlava(file, { imageRoot, batchSize: 64, shuffle: SHUFFLE, validateImages: false })) : JSON.parse(readFileSync(file, "utf8")).length,
  );
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ perSecond: timed.perSecond, baseline, peakAbove: peak - baseline }));
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), "cotrain-vqa-bench-"));
const file = join(dir, "llava_bench.json");
const imageRoot = join(dir, "images");
try {
  const images = await Promise.all(
    Array.from({ length: 8 }, (_, k) => sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 30 * k, g: 200 - 20 * k, b: 90 } } }).png().toBuffer()),
  );
  // Shaped like llava_v1_5_mix665k: most entries one image (here 8 shared tiny files), a third multi-turn, a
  // quarter text-only.
  function* entries() {
    for (let i = 0; i < ENTRIES; i++) {
      const turns = [
        { from: "human", value: `<image>\nWhat are the colors of the bus in image ${i}?` },
        { from: "gpt", value: "The bus in the image is white and red, parked beside a tree on a sunny street." },
      ];
      if (i % 3 === 0) turns.push({ from: "human", value: "What feature can be seen on the back of the bus?" }, { from: "gpt", value: "The back of the bus features an advertisement." });
      yield { id: String(i).padStart(12, "0"), images: i % 4 === 3 ? [] : [{ path: `coco/train2017/${i % 8}.png`, bytes: images[i % 8] }], conversations: turns };
    }
  }
  await writeLlava(file, entries(), { imageRoot });
  const bytes = statSync(file).size;
  console.log(`generated ${ENTRIES} entries, ${(bytes / 1e6).toFixed(1)} MB`);

  const stream = (options, limit) => async () => {
    const rows = await drain(openLlava(file, { imageRoot, batchSize: 256, ...options }), limit);
    if (rows < Math.min(ENTRIES, limit ?? ENTRIES)) throw new Error(`read ${rows} rows`);
    return rows;
  };
  const chunked = (onChunk) => {
    const fd = openSync(file, "r");
    const buf = Buffer.allocUnsafe(1 << 18);
    for (let k = readSync(fd, buf, 0, buf.length, null); k > 0; k = readSync(fd, buf, 0, buf.length, null)) onChunk(buf.subarray(0, k));
    closeSync(fd);
  };
  const plain = await timeOnce(stream({ validateImages: false }));
  const validated = await measure(stream({ validateImages: true }, 4096), { minMs: 1000, warmup: 0 });
  const rawRead = await measure(() => (chunked(() => {}), ENTRIES), { minMs: 500 });
  const jsonParse = await timeOnce(() => JSON.parse(readFileSync(file, "utf8")).length);
  const bareParser = await timeOnce(() => {
    const tokenizer = new Tokenizer();
    const parser = new TokenParser({ paths: ["$.*"], keepStack: false });
    let n = 0;
    tokenizer.onToken = (t) => parser.write(t);
    parser.onValue = () => n++;
    chunked((chunk) => tokenizer.write(chunk));
    return n;
  });
  const child = (mode) => {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--rss", mode, file, imageRoot], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`rss child (${mode}) failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop());
  };
  const streamed = child("stream");
  const parsed = child("parse");
  const mb = (b) => b / 2 ** 20;

  const name = `openLlava stream, ${ENTRIES / 1000}k entries (image files read, not decoded)`;
  const photos = await benchLlavaPhotos();
  report("vqa", [
    { name, value: plain.perSecond, unit: "entries/s", baseline: "@streamparser/json alone, same file", baselineValue: bareParser.perSecond },
    { name, value: plain.perSecond, unit: "entries/s", baseline: "JSON.parse of the whole file", baselineValue: jsonParse.perSecond },
    { name, value: plain.perSecond, unit: "entries/s", baseline: "raw read of the same bytes", baselineValue: rawRead.perSecond },
    { name: "openLlava stream + shuffle(buffer=1024), own process", value: streamed.perSecond, unit: "entries/s", baseline: "openLlava stream", baselineValue: plain.perSecond },
    { name: "openLlava + validateImages (16×16 PNG decode)", value: validated.perSecond, unit: "entries/s", baseline: "openLlava stream", baselineValue: plain.perSecond },
    { name: "peak RSS above baseline, stream + shuffle", value: mb(streamed.peakAbove), unit: "MiB", baseline: "JSON.parse of the whole file", baselineValue: mb(parsed.peakAbove) },
    { name: "peak RSS above baseline, stream + shuffle", value: mb(streamed.peakAbove), unit: "MiB", baseline: "requirement (under)", baselineValue: 200 },
    ...photos,
  ], { entries: ENTRIES, file_mb: bytes / 1e6, stream_rss_bytes: streamed.peakAbove, parse_rss_bytes: parsed.peakAbove });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
