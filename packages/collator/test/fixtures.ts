import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import type { RowInput } from "@cotrain/core";
import { buildUnigram, trainBpe } from "./bpe-trainer.js";

export const CORPUS = [
  "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions.",
  "USER: What are the colors of the bus in the image? ASSISTANT: The bus in the image is white and red.",
  "USER: What is the man holding? ASSISTANT: The man is holding a red umbrella.",
  "In: What action should the robot take to pick up the red block?\nOut: ",
  "In: What action should the robot take to put the cup in the sink?\nOut: ",
  "The robot picks the red block and puts the cup in the sink. The bus is white.",
];

/** A BPE tokenizer.json (+ tokenizer_config.json) trained on CORPUS, written to a fresh temp dir. */
export function writeBpeTokenizer(reserved = 0, merges = 300): string {
  const dir = mkdtempSync(join(tmpdir(), "collator-bpe-"));
  const { json, config } = trainBpe(CORPUS, merges, reserved);
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(json));
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(config));
  return dir;
}

export function writeUnigramTokenizer(): string {
  const dir = mkdtempSync(join(tmpdir(), "collator-unigram-"));
  const { json, config } = buildUnigram(CORPUS);
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify(json));
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(config));
  return dir;
}

/** A small solid-colour JPEG (with a gradient so resizing is visible). */
export async function tinyJpeg(r: number, g: number, b: number, width = 16, height = 12): Promise<Uint8Array> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const o = (y * width + x) * 3;
    raw[o] = r;
    raw[o + 1] = g;
    raw[o + 2] = (b + x * 4) & 0xff;
  }
  return new Uint8Array(await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 }).toBuffer());
}

export function robotRow(id: string, instruction: string, action: number[], extra: Partial<RowInput> = {}): RowInput {
  return { source: "bridge", kind: "robot", sample_id: id, messages: [{ role: "user", content: instruction }], action, episode_index: 0, step_index: 0, is_first: true, is_last: false, ...extra };
}

export function webRow(id: string, turns: [string, string][], extra: Partial<RowInput> = {}): RowInput {
  return { source: "llava", kind: "vqa", sample_id: id, messages: turns.flatMap(([q, a]) => [{ role: "user" as const, content: q }, { role: "assistant" as const, content: a }]), ...extra };
}
