// Collator benchmarks: collated samples/s (text + masks without images, and with 224×224 images) beside the
// tokenizer's raw encode speed on the same samples, measured in the same run. Run: npm run bench -- collator
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { Rng, rowsToBatch } from "@cotrain/core";
import { transformImages } from "@cotrain/vision";
import { ActionTokenizer, LLAVA_V1, createByteTokenizer, createCollator, loadTokenizer } from "@cotrain/collator";
import { measure, report } from "../../../tools/lib/bench-report.mjs";
import { trainBpe } from "./bpe.mjs";

const rng = Rng.from(11, "collator-bench");
const WORDS = "the a red blue green cup block bowl plate robot arm gripper pick up put place on in left right next to near table drawer open close what is color of how many are there man woman holding bus white".split(" ");
const sentence = (n) => Array.from({ length: n }, () => WORDS[rng.int(WORDS.length)]).join(" ");

async function jpeg(seed) {
  const r = Rng.from(seed);
  const raw = Buffer.alloc(256 * 256 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i % 3 === 0 ? 120 : 60) + r.int(60);
  return new Uint8Array(await sharp(raw, { raw: { width: 256, height: 256, channels: 3 } }).jpeg({ quality: 85 }).toBuffer());
}
const images = await Promise.all([1, 2, 3, 4].map(jpeg));

const B = 64;
const rows = Array.from({ length: B }, (_, i) =>
  i % 2 === 0
    ? { source: "bridge", kind: "robot", sample_id: `r${i}`, images: [images[i % 4]], cameras: ["image_0"], messages: [{ role: "user", content: sentence(8) }], action: Array.from({ length: 7 }, () => rng.uniform(-1, 1)) }
    : { source: "llava", kind: "vqa", sample_id: `w${i}`, images: [images[i % 4]], cameras: [""], messages: [
        { role: "user", content: `<image>\n${sentence(10)}?` }, { role: "assistant", content: `${sentence(20)}.` },
        { role: "user", content: `${sentence(8)}?` }, { role: "assistant", content: `${sentence(12)}.` }] },
);
const batch = rowsToBatch(rows);
// The raw baseline encodes each sample's full text once (what a collator must at least do).
const fullTexts = rows.map((r) => `${LLAVA_V1.system} ${r.messages.map((m) => `${m.role === "user" ? "USER" : "ASSISTANT"}: ${m.content}`).join(" ")}`);

const dir = mkdtempSync(join(tmpdir(), "collator-bench-"));
const { json, config } = trainBpe([...Array.from({ length: 400 }, () => sentence(30)), LLAVA_V1.system], 2000);
writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(json));
writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(config));
const bpe = await loadTokenizer(dir);
const bytes = createByteTokenizer();

const results = [];
for (const [name, tokenizer] of [["BPE tokenizer.json", bpe], ["byte-level", bytes]]) {
  const raw = await measure(() => { for (const t of fullTexts) tokenizer.encode(t); return fullTexts.length; });
  const actions = { type: "tokens", tokenizer: ActionTokenizer.uniform({ vocabSize: tokenizer.vocabSize, dim: 7 }) };
  const text = createCollator({ tokenizer, template: "llava_v1", actions, maxLength: 512 });
  const collated = await measure(async () => (await text(batch)).size);
  results.push({ name: `${name}: raw encode`, value: raw.perSecond, unit: "samples/s" });
  results.push({ name: `${name}: collate text+masks (B=${B})`, value: collated.perSecond, unit: "samples/s", baseline: "raw encode", baselineValue: raw.perSecond });
  if (tokenizer === bpe) {
    const withImages = createCollator({ tokenizer, template: "llava_v1", actions, maxLength: 512, image: { size: 224 } });
    const pix = await measure(async () => (await withImages(batch)).size, { minMs: 3000 });
    const visionOnly = await measure(async () => (await transformImages(rows.map((r) => r.images[0]), { size: 224 })).count, { minMs: 3000 });
    results.push({ name: `${name}: collate + images 224×224 (B=${B})`, value: pix.perSecond, unit: "samples/s", baseline: "raw encode", baselineValue: raw.perSecond });
    results.push({ name: `${name}: collate + images 224×224 (B=${B})`, value: pix.perSecond, unit: "samples/s", baseline: "vision transformImages alone", baselineValue: visionOnly.perSecond });
  }
}
report("collator", results, { batchSize: B, bpeVocab: bpe.vocabSize });
