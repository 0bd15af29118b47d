// Fixtures for the RLDS tests: Bridge- and DROID-shaped episodes with real JPEGs (sharp), datasets written by our
// own writer into temp dirs, and a helper that rewrites one record of a shard to make corrupt inputs.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import type { RecordBatch } from "apache-arrow";
import { collect, fingerprint, fromRows } from "@cotrain/core";
import type { RowInput, Source } from "@cotrain/core";
import { decodeExample, encodeExample, episodeToRows, frameRecord, readTFRecords } from "@cotrain/robot";
import type { Episode, FeatureValue } from "@cotrain/robot";

export const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-rlds-"));

const pool = new Map<string, Promise<Uint8Array>>();

/** A 32×32 JPEG with a colour per (a, b, c) and a corner mark, so different arguments give different bytes. */
export function jpeg(a: number, b: number, c: number, size = 32): Promise<Uint8Array> {
  const key = `${a},${b},${c},${size}`;
  let made = pool.get(key);
  if (!made) {
    const pixels = Buffer.alloc(size * size * 3);
    for (let p = 0; p < size * size; p++) pixels.set([a % 256, b % 256, c % 256], p * 3);
    pixels.set([255 - (a % 256), b % 256, 0], 0);
    made = sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 85 }).toBuffer().then((buf) => new Uint8Array(buf));
    pool.set(key, made);
  }
  return made;
}

/** Values that exercise float32: fractions, negatives, a 0/1 gripper in the last dimension. */
export function floats(steps: number, dim: number, seed: number, gripper = true): Float32Array {
  return Float32Array.from({ length: steps * dim }, (_, i) => {
    const d = i % dim;
    if (gripper && d === dim - 1) return (Math.floor(i / dim) + seed) % 3 === 0 ? 0 : 1;
    return Math.fround(Math.sin(seed * 12.9898 + i * 0.731) * (d + 1) * 0.25);
  });
}

async function frames(steps: number, episode: number, camera: number, distinct = true): Promise<Uint8Array[]> {
  return Promise.all(Array.from({ length: steps }, (_, t) => (distinct ? jpeg(episode * 37 + t * 11, camera * 60, t * 5) : jpeg(episode % 4, camera, 0))));
}

export async function bridgeEpisode(index: number, steps: number, distinct = true): Promise<Episode> {
  const filePath = `/raw/bridge/scene${index % 3}/out.npy`;
  return {
    source: "bridge",
    index,
    id: `${filePath}_${index}`,
    length: steps,
    cameras: await Promise.all([0, 1, 2, 3].map(async (c) => ({ name: `image_${c}`, frames: await frames(steps, index, c, distinct) }))),
    actions: floats(steps, 7, index + 1),
    actionDim: 7,
    states: floats(steps, 7, index + 101),
    stateDim: 7,
    // Bridge has episodes without language; episode 2 stands for them.
    instructions: new Array<string>(steps).fill(index === 2 ? "" : `put the spoon in pot ${index}`),
    metadata: { file_path: filePath, episode_id: String(index) },
  };
}

export async function droidEpisode(index: number, steps: number): Promise<Episode> {
  const extras: Record<string, { dim: number; values: Float32Array }> = {};
  const add = (key: string, dim: number, seed: number): void => void (extras[key] = { dim, values: floats(steps, dim, seed, false) });
  add("action_dict/cartesian_position", 6, index + 11);
  add("action_dict/cartesian_velocity", 6, index + 12);
  add("action_dict/gripper_position", 1, index + 13);
  add("action_dict/gripper_velocity", 1, index + 14);
  add("action_dict/joint_position", 7, index + 15);
  add("action_dict/joint_velocity", 7, index + 16);
  add("observation/joint_position", 7, index + 17);
  const filePath = `/droid/lab${index}/trajectory.h5`;
  return {
    source: "droid",
    index,
    id: filePath,
    length: steps,
    cameras: await Promise.all(["exterior_image_1_left", "exterior_image_2_left", "wrist_image_left"].map(async (name, c) => ({ name, frames: await frames(steps, index, c) }))),
    actions: floats(steps, 7, index + 3),
    actionDim: 7,
    states: floats(steps, 7, index + 203),
    stateDim: 7,
    instructions: new Array<string>(steps).fill(`pick up marker ${index}`),
    alternateInstructions: {
      language_instruction_2: new Array<string>(steps).fill(`grab marker ${index}`),
      language_instruction_3: new Array<string>(steps).fill(index % 2 ? "" : `take the marker ${index}`),
    },
    extras,
    metadata: { file_path: filePath, recording_folderpath: `/droid/lab${index}/recordings` },
  };
}

/** The batches a reader must yield for these episodes: episodeToRows, batched across episodes. */
export async function expectedFingerprints(episodes: readonly Episode[], batchSize: number, chunk = 0): Promise<string[]> {
  const rows: RowInput[] = episodes.flatMap((e) => episodeToRows(e, { chunk }));
  return (await collect(fromRows(rows, { batchSize }))).map(fingerprint);
}

export async function fingerprintsOf(source: Source): Promise<string[]> {
  return (await collect(source)).map((b: RecordBatch) => fingerprint(b));
}

/** Byte offsets of every record of a TFRecord file. */
export async function recordOffsets(path: string): Promise<number[]> {
  const out: number[] = [];
  for await (const r of readTFRecords(path)) out.push(r.offset);
  return out;
}

/** Rewrites record `index` of a shard (well framed, so only the content is wrong). */
export async function rewriteRecord(path: string, index: number, mutate: (features: Map<string, FeatureValue>) => Uint8Array | void): Promise<void> {
  const parts: Buffer[] = [];
  for await (const r of readTFRecords(path)) {
    if (r.index !== index) {
      parts.push(frameRecord(r.data));
      continue;
    }
    const features = decodeExample(r.data);
    const replaced = mutate(features);
    parts.push(frameRecord(replaced ?? encodeExample(features)));
  }
  writeFileSync(path, Buffer.concat(parts));
}

/** Flips one byte of a file (XOR 0xff). */
export function flipByte(path: string, at: number): void {
  const bytes = readFileSync(path);
  bytes[at] = (bytes[at] as number) ^ 0xff;
  writeFileSync(path, bytes);
}

/** A noisy JPEG (incompressible-ish, so a dataset of them has real size). */
export async function noisyJpeg(seed: number, size = 64): Promise<Uint8Array> {
  const pixels = Buffer.alloc(size * size * 3);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < pixels.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    pixels[i] = x & 0xff;
  }
  return new Uint8Array(await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
}
