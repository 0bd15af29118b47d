import sharp from "sharp";
import { BRIDGE_FEATURES, writeLeRobot, writeRlds } from "@cotrain/robot";
import type { Episode, RldsMapping, WriteLeRobotResult, WriteRldsResult } from "@cotrain/robot";
import { writeLlava, writeParquetVqa } from "@cotrain/vqa";
import type { VqaEntry, WriteSummary } from "@cotrain/vqa";
import { ACTION_NAMES, STATE_NAMES } from "./controller.js";
import type { SynthVqaEntry } from "./vqa.js";

/**
 * The adapters between the generator's in-memory items and the packages' own writers. Each takes an async
 * stream, so a split is written while it is generated.
 */

export const RLDS_NAME = "bridge_synth";
export const RLDS_VERSION = "1.0.0";
/** The Bridge cameras the world does not have; Bridge stores them as all-black frames with has_image_k false. */
const UNUSED_CAMERAS = ["image_1", "image_2", "image_3"];

/**
 * Bridge V2's feature tree without the 512-D language embedding: the world has no sentence encoder, and zeros
 * would be 2 KB per step of nothing. Every key `openRlds(dir, {preset: "bridge"})` maps is kept.
 */
export const SYNTH_RLDS_FEATURES = BRIDGE_FEATURES.filter((f) => f.key !== "steps/language_embedding").map((f) => ({ ...f, shape: [...f.shape] }));

/**
 * A mapping for `openRlds(dir, {mapping})` that reads only the world's real camera: the Bridge preset yields all
 * four Bridge cameras per step, three of them black.
 */
export const SYNTH_RLDS_MAPPING: RldsMapping = { cameras: ["observation/image_0"], action: ["action"], state: ["observation/state"], instruction: ["language_instruction"] };

async function blackJpeg(size: number, quality: number): Promise<Uint8Array> {
  const buffer = await sharp({ create: { width: size, height: size, channels: 3, background: { r: 0, g: 0, b: 0 } } }).jpeg({ quality }).toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

async function* withBridgeCameras(episodes: AsyncIterable<Episode>, black: Uint8Array): AsyncGenerator<Episode> {
  for await (const e of episodes) {
    const unused = UNUSED_CAMERAS.map((name) => ({ name, frames: new Array<Uint8Array>(e.length).fill(black) }));
    const flags = Object.fromEntries(UNUSED_CAMERAS.map((name) => [`has_${name}`, "false"]));
    yield { ...e, cameras: [...e.cameras, ...unused], metadata: { ...e.metadata, has_image_0: "true", ...flags, has_language: "true" } };
  }
}

/** One split of the RLDS dataset (Bridge layout) into `dir` (the version folder); other splits there are kept. */
export async function writeRobotRlds(dir: string, split: string, episodes: AsyncIterable<Episode>, image: { size: number; quality: number }): Promise<WriteRldsResult> {
  const black = await blackJpeg(image.size, image.quality);
  return writeRlds(dir, withBridgeCameras(episodes, black), {
    name: RLDS_NAME,
    version: RLDS_VERSION,
    split,
    preset: "bridge",
    features: SYNTH_RLDS_FEATURES,
    episodesPerShard: 256,
    description: "cotrain synthetic tabletop world (Bridge V2 layout): overhead camera image_0, 7-D end-effector delta actions.",
  });
}

/** One split as its own LeRobot v2.1 dataset in `dir`, images embedded in the Parquet files. */
export function writeRobotLeRobot(dir: string, episodes: AsyncIterable<Episode>, fps: number): Promise<WriteLeRobotResult> {
  return writeLeRobot(dir, episodes, { fps, robotType: "synth_tabletop", actionNames: ACTION_NAMES, stateNames: STATE_NAMES });
}

/** The writers' entry shape, with the image at `prefix/imagePath` (the LLaVA image paths are relative to the JSON's folder). */
export function toVqaEntry(entry: SynthVqaEntry, prefix = "images"): VqaEntry {
  return { id: entry.id, images: [{ path: `${prefix}/${entry.imagePath}`, bytes: entry.image }], conversations: entry.conversations.map((t) => ({ from: t.from, value: t.value })) };
}

async function* asVqaEntries(entries: AsyncIterable<SynthVqaEntry>): AsyncGenerator<VqaEntry> {
  for await (const e of entries) yield toVqaEntry(e);
}

/** LLaVA JSON at `jsonPath`, images under `imageRoot/images/<split>/`. */
export function writeVqaLlava(jsonPath: string, imageRoot: string, entries: AsyncIterable<SynthVqaEntry>): Promise<WriteSummary> {
  return writeLlava(jsonPath, asVqaEntries(entries), { imageRoot });
}

/** A Parquet VQA table (`id`, `image` {bytes, path}, `conversations`) at `path`. */
export function writeVqaParquet(path: string, entries: AsyncIterable<SynthVqaEntry>): Promise<WriteSummary> {
  return writeParquetVqa(path, asVqaEntries(entries), { layout: "conversations" });
}
