import { ACTION_NAMES, MAX_STEPS, MIN_STEPS, STATE_NAMES } from "./controller.js";
import { CAMERA } from "./episodes.js";
import { CATEGORIES, COLOR_NAMES, OBJECT_KINDS, OBJECT_TYPES, ROBOT_TYPES, WEB_ONLY_TYPES } from "./objects.js";
import type { ResolvedWorldOptions } from "./options.js";
import type { QuestionKind } from "./questions.js";
import { REGIONS } from "./refer.js";
import { DIRECTIONS, TEMPLATES } from "./tasks.js";
import type { TaskKind } from "./tasks.js";

/** Counts of one robot split, gathered while it is written. */
export interface RobotSplitSummary {
  episodes: number;
  steps: number;
  tasks: Record<TaskKind, number>;
  /** Distinct instruction strings. */
  instructions: number;
}

export interface VqaSplitSummary {
  entries: number;
  /** Question/answer pairs (an entry holds one or two). */
  questions: number;
  kinds: Record<QuestionKind, number>;
}

/** The folder layout, relative to the world's folder. Absent formats are null. */
export interface WorldLayout {
  rlds: { dir: string; name: string; preset: "bridge"; splits: string[] } | null;
  lerobot: Record<string, string> | null;
  llava: { json: Record<string, string>; imageRoot: string } | null;
  parquet: Record<string, string> | null;
  /** The world's tokenizer folder (tokenizer.json + tokenizer_config.json, Hugging Face format). */
  tokenizer: string;
}

/** The contents of world.json. */
export interface WorldSummary {
  generator: "@cotrain/synth";
  version: 1;
  seed: string | number;
  options: Omit<ResolvedWorldOptions, "robotSplits" | "vqaSplits" | "concurrency">;
  robot: { splits: Record<string, RobotSplitSummary>; camera: string; actionDim: number; stateDim: number; actionNames: string[]; stateNames: string[]; stepsPerEpisode: [number, number] };
  vqa: { splits: Record<string, VqaSplitSummary> };
  layout: WorldLayout;
  vocab: {
    colors: string[];
    categories: string[];
    objects: { type: string; category: string; colors: string[]; robot: boolean }[];
    robotTypes: string[];
    webOnlyTypes: string[];
    /** Every string a VQA answer can be, for exact-match scoring and answer-vocabulary heads. */
    answers: string[];
    /** The region words of position answers ("top left" … "bottom right"). */
    regions: string[];
    templates: Record<string, readonly string[]>;
    pushDirections: string[];
  };
}

export function possibleAnswers(maxObjects: number): string[] {
  const numbers = Array.from({ length: maxObjects + 1 }, (_, n) => String(n));
  // "orange" is a color and a type: listed once.
  return [...new Set([...COLOR_NAMES, ...OBJECT_TYPES, ...CATEGORIES, ...numbers, "yes", "no", ...REGIONS])];
}

export function describeWorld(options: ResolvedWorldOptions, robot: Record<string, RobotSplitSummary>, vqa: Record<string, VqaSplitSummary>, layout: WorldLayout): WorldSummary {
  const { robotSplits: _r, vqaSplits: _v, concurrency: _c, ...recorded } = options;
  return {
    generator: "@cotrain/synth",
    version: 1,
    seed: options.seed,
    options: recorded,
    robot: { splits: robot, camera: CAMERA, actionDim: ACTION_NAMES.length, stateDim: STATE_NAMES.length, actionNames: ACTION_NAMES, stateNames: STATE_NAMES, stepsPerEpisode: [MIN_STEPS, MAX_STEPS] },
    vqa: { splits: vqa },
    layout,
    vocab: {
      colors: [...COLOR_NAMES],
      categories: [...CATEGORIES],
      objects: OBJECT_KINDS.map((k) => ({ type: k.type, category: k.category, colors: [...k.colors], robot: k.robot })),
      robotTypes: ROBOT_TYPES,
      webOnlyTypes: WEB_ONLY_TYPES,
      answers: possibleAnswers(options.maxObjects),
      regions: [...REGIONS],
      templates: TEMPLATES,
      pushDirections: Object.keys(DIRECTIONS),
    },
  };
}
