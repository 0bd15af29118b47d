import { Rng } from "@cotrain/core";
import type { SeedLike } from "@cotrain/core";
import type { Limit } from "./pool.js";
import { askQuestion } from "./questions.js";
import type { Question } from "./questions.js";
import { renderViews } from "./render.js";
import type { RenderOptions } from "./render.js";
import { makeScene, placeGripper } from "./scene.js";
import type { Gripper, SceneObject, SceneOptions } from "./scene.js";

export type VqaSplit = "train" | "eval";
export const VQA_SPLITS: readonly VqaSplit[] = ["train", "eval"];

/** LLaVA's image placeholder, which opens the first human turn. */
export const IMAGE_TOKEN = "<image>";

export interface SynthTurn {
  from: "human" | "gpt";
  value: string;
}

/** One VQA sample in memory, with the scene it is about (the ground truth its answers are checked against). */
export interface SynthVqaEntry {
  id: string;
  /** The image's path relative to the split's image root: "train/000042.jpg". */
  imagePath: string;
  /** JPEG bytes. */
  image: Uint8Array;
  conversations: SynthTurn[];
  questions: Question[];
  objects: SceneObject[];
  gripper: Gripper;
}

export interface VqaEntryOptions extends RenderOptions, Pick<SceneOptions, "minObjects" | "maxObjects"> {
  seed: SeedLike;
  split: VqaSplit;
  index: number;
  /** Share of entries with two question/answer pairs instead of one (default 0.25). */
  multiTurnFraction?: number;
  limit?: Limit;
}

/** The entry id, also the image file's stem. */
export function vqaId(split: VqaSplit, index: number): string {
  return `synth_${split}_${String(index).padStart(6, "0")}`;
}

/**
 * One VQA entry from its own generator `Rng.from(seed, "vqa", split, index)`: a scene drawn from all object
 * types (web-only ones included) with the gripper hovering where it hides nothing, so web images look like robot
 * frames, and one or two questions whose answers the scene determines.
 */
export async function makeVqaEntry(options: VqaEntryOptions): Promise<SynthVqaEntry> {
  const [entry] = await makeVqaEntries({ ...options, from: options.index, count: 1 });
  return entry as SynthVqaEntry;
}

/** Entries `from` … `from + count − 1`, rendered together (the same bytes as one at a time, only faster). */
export async function makeVqaEntries(options: Omit<VqaEntryOptions, "index"> & { from: number; count: number }): Promise<SynthVqaEntry[]> {
  const { split, from, count } = options;
  if (!VQA_SPLITS.includes(split)) throw new RangeError(`split must be one of ${VQA_SPLITS.join(", ")}, got ${JSON.stringify(split)}`);
  if (!Number.isInteger(from) || from < 0 || !Number.isInteger(count) || count < 0) throw new RangeError(`from and count must be non-negative integers, got ${from} and ${count}`);
  const multi = options.multiTurnFraction ?? 0.25;
  if (!(multi >= 0 && multi <= 1)) throw new RangeError(`multiTurnFraction must be in [0, 1], got ${multi}`);
  const drafts = Array.from({ length: count }, (_, k) => {
    const index = from + k;
    const rng = Rng.from(options.seed, "vqa", split, index);
    const objects = makeScene(rng.derive("scene"), { minObjects: options.minObjects, maxObjects: options.maxObjects });
    const gripper = placeGripper(rng.derive("gripper"), objects);
    const ask = rng.derive("questions");
    const questions = [askQuestion(ask, objects)];
    if (ask.float() < multi) questions.push(askQuestion(ask, objects, new Set(questions.map((q) => q.question))));
    const conversations: SynthTurn[] = questions.flatMap((q, i) => [
      { from: "human" as const, value: i === 0 ? `${IMAGE_TOKEN}\n${q.question}` : q.question },
      { from: "gpt" as const, value: q.answer },
    ]);
    const id = vqaId(split, index);
    return { id, imagePath: `${split}/${id}.jpg`, conversations, questions, objects, gripper };
  });
  const images = await renderViews(drafts.map((d) => ({ objects: d.objects, gripper: d.gripper, held: null })), options, options.limit);
  return drafts.map((d, k) => ({ ...d, image: images[k] as Uint8Array }));
}
