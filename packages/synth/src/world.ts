import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeAtomically } from "@cotrain/core";
import type { Episode } from "@cotrain/robot";
import { describeWorld } from "./describe.js";
import type { RobotSplitSummary, VqaSplitSummary, WorldLayout, WorldSummary } from "./describe.js";
import { makeRobotEpisode } from "./episodes.js";
import type { RobotSplit } from "./episodes.js";
import { resolveWorldOptions } from "./options.js";
import type { ResolvedWorldOptions, WorldOptions } from "./options.js";
import { limiter, ordered } from "./pool.js";
import type { Limit } from "./pool.js";
import { QUESTION_KINDS } from "./questions.js";
import { TEMPLATES } from "./tasks.js";
import type { TaskKind } from "./tasks.js";
import { tee } from "./tee.js";
import { TOKENIZER_DIR, worldTokenizer } from "./tokenizer.js";
import type { TeeStream } from "./tee.js";
import { makeVqaEntries } from "./vqa.js";
import type { SynthVqaEntry, VqaSplit } from "./vqa.js";
import { RLDS_NAME, RLDS_VERSION, writeRobotLeRobot, writeRobotRlds, writeVqaLlava, writeVqaParquet } from "./write.js";

export const WORLD_FILE = "world.json";
const RLDS_DIR = `robot/rlds/${RLDS_NAME}/${RLDS_VERSION}`;
const OWNED_PATHS = [
  RLDS_DIR,
  ...["train", "eval", "zeroshot"].map((split) => `robot/lerobot/${split}`),
  ...["train", "eval"].flatMap((split) => [`vqa/llava/${split}.json`, `vqa/llava/images/${split}`, `vqa/parquet/${split}.parquet`]),
  TOKENIZER_DIR,
];

/** The robot episodes of one split, in index order, rendered `ahead` at a time under `limit`. */
export function robotEpisodes(options: ResolvedWorldOptions, split: RobotSplit, limit: Limit): AsyncGenerator<Episode> {
  const { seed, imageSize: size, jpegQuality: quality, minObjects, maxObjects } = options;
  const make = async (index: number): Promise<Episode> => (await makeRobotEpisode({ seed, split, index, size, quality, minObjects, maxObjects, limit })).episode;
  return ordered(options.robotSplits[split], options.concurrency, make);
}

/** Entries rendered together: one sheet render serves this many images. */
const VQA_BLOCK = 16;

/** The VQA entries of one split, in index order. */
export async function* vqaEntries(options: ResolvedWorldOptions, split: VqaSplit, limit: Limit): AsyncGenerator<SynthVqaEntry> {
  const { seed, imageSize: size, jpegQuality: quality, minObjects, maxObjects, multiTurnFraction } = options;
  const total = options.vqaSplits[split];
  const blocks = Math.ceil(total / VQA_BLOCK);
  const make = (b: number): Promise<SynthVqaEntry[]> =>
    makeVqaEntries({ seed, split, from: b * VQA_BLOCK, count: Math.min(VQA_BLOCK, total - b * VQA_BLOCK), size, quality, minObjects, maxObjects, multiTurnFraction, limit });
  for await (const block of ordered(blocks, options.concurrency, make)) yield* block;
}

type Writer<T> = (items: AsyncIterable<T>) => Promise<unknown>;

/** Streams one split into every writer at once; a writer that fails stops holding the others back. */
async function writeAll<T>(items: AsyncIterable<T>, writers: Writer<T>[]): Promise<void> {
  const streams = tee(items, writers.length);
  await Promise.all(
    writers.map((write, k) => {
      const stream = streams[k] as TeeStream<T>;
      return write(stream).catch((error: unknown) => {
        stream.cancel();
        throw error;
      });
    }),
  );
}

/** The task kind an instruction's verb stands for (see TEMPLATES). */
function taskKindOf(instruction: string): TaskKind {
  const verb = instruction.split(" ")[0] ?? "";
  return (Object.keys(TEMPLATES) as TaskKind[]).find((kind) => TEMPLATES[kind].some((t) => t.startsWith(`${verb} `))) ?? "pick";
}

async function* counted<T>(items: AsyncIterable<T>, record: (item: T) => void): AsyncGenerator<T> {
  for await (const item of items) {
    record(item);
    yield item;
  }
}

/**
 * Generates the sample world into `outDir` (see the README for the layout): robot train/eval/zeroshot splits as
 * RLDS (Bridge layout) and LeRobot v2.1, VQA train/eval splits as LLaVA JSON + images and as Parquet, and
 * world.json, written last, describing what was generated. Each split is generated once and streamed into every
 * requested format at the same time. Same options, same bytes in every file.
 */
export async function generateWorld(outDir: string, options: WorldOptions = {}): Promise<WorldSummary> {
  const resolved = resolveWorldOptions(options);
  const formats = new Set(resolved.formats);
  const limit = limiter(resolved.concurrency);
  await mkdir(outDir, { recursive: true });
  // A half-regenerated folder must not look whole, and a smaller world must not keep a larger one's splits:
  // world.json goes first, then exactly the paths a world writes (nothing else in outDir is touched).
  await rm(join(outDir, WORLD_FILE), { force: true });
  for (const path of OWNED_PATHS) await rm(join(outDir, path), { recursive: true, force: true });
  const layout: WorldLayout = { rlds: null, lerobot: null, llava: null, parquet: null, tokenizer: TOKENIZER_DIR };
  const r = resolved.robotSplits;
  const robotItems = formats.has("rlds") || formats.has("lerobot") ? r.train + r.eval + r.zeroshot : 0;
  const vqaItems = formats.has("llava") || formats.has("parquet") ? resolved.vqaSplits.train + resolved.vqaSplits.eval : 0;
  const total = robotItems + vqaItems;
  let done = 0;
  const tick = (): void => options.onProgress?.(++done, total);

  const robot: Record<string, RobotSplitSummary> = {};
  for (const split of ["train", "eval", "zeroshot"] as const) {
    if (resolved.robotSplits[split] === 0) continue;
    const writers: Writer<Episode>[] = [];
    if (formats.has("rlds")) {
      writers.push((items) => writeRobotRlds(join(outDir, RLDS_DIR), split, items, { size: resolved.imageSize, quality: resolved.jpegQuality }));
      layout.rlds = { dir: RLDS_DIR, name: RLDS_NAME, preset: "bridge", splits: [...(layout.rlds?.splits ?? []), split] };
    }
    if (formats.has("lerobot")) {
      const dir = `robot/lerobot/${split}`;
      writers.push((items) => writeRobotLeRobot(join(outDir, dir), items, resolved.fps));
      layout.lerobot = { ...layout.lerobot, [split]: dir };
    }
    if (writers.length === 0) continue;
    const summary: RobotSplitSummary = { episodes: 0, steps: 0, tasks: { pick: 0, push: 0, move: 0 }, instructions: 0 };
    const instructions = new Set<string>();
    const stream = counted(robotEpisodes(resolved, split, limit), (e) => {
      summary.episodes++;
      summary.steps += e.length;
      instructions.add(e.instructions[0] ?? "");
      summary.tasks[taskKindOf(e.instructions[0] ?? "")]++;
      tick();
    });
    await writeAll(stream, writers);
    summary.instructions = instructions.size;
    robot[split] = summary;
  }

  const vqa: Record<string, VqaSplitSummary> = {};
  for (const split of ["train", "eval"] as const) {
    if (resolved.vqaSplits[split] === 0) continue;
    const writers: Writer<SynthVqaEntry>[] = [];
    if (formats.has("llava")) {
      const json = `vqa/llava/${split}.json`;
      await mkdir(join(outDir, "vqa/llava"), { recursive: true });
      writers.push((items) => writeVqaLlava(join(outDir, json), join(outDir, "vqa/llava"), items));
      layout.llava = { json: { ...layout.llava?.json, [split]: json }, imageRoot: "vqa/llava" };
    }
    if (formats.has("parquet")) {
      const file = `vqa/parquet/${split}.parquet`;
      await mkdir(join(outDir, "vqa/parquet"), { recursive: true });
      writers.push((items) => writeVqaParquet(join(outDir, file), items));
      layout.parquet = { ...layout.parquet, [split]: file };
    }
    if (writers.length === 0) continue;
    const summary: VqaSplitSummary = { entries: 0, questions: 0, kinds: Object.fromEntries(QUESTION_KINDS.map((k) => [k, 0])) as VqaSplitSummary["kinds"] };
    const stream = counted(vqaEntries(resolved, split, limit), (e) => {
      summary.entries++;
      summary.questions += e.questions.length;
      for (const q of e.questions) summary.kinds[q.kind]++;
      tick();
    });
    await writeAll(stream, writers);
    vqa[split] = summary;
  }

  const tokenizer = worldTokenizer(resolved.maxObjects);
  await mkdir(join(outDir, TOKENIZER_DIR), { recursive: true });
  for (const [name, json] of [["tokenizer.json", tokenizer.tokenizer], ["tokenizer_config.json", tokenizer.config]] as const) {
    await writeAtomically(join(outDir, TOKENIZER_DIR, name), (tmp) => writeFile(tmp, `${JSON.stringify(json, null, 2)}\n`));
  }

  const world = describeWorld(resolved, robot, vqa, layout);
  await writeAtomically(join(outDir, WORLD_FILE), (tmp) => writeFile(tmp, `${JSON.stringify(world, null, 2)}\n`));
  return world;
}
