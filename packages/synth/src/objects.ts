/**
 * The world's vocabulary: colors, object types and their categories. Which types the robot data may name is
 * part of the vocabulary too, because the co-training demo depends on it: web-only types appear in robot scenes
 * as distractors and in VQA, but no training instruction ever names them, so only web data can teach the words.
 */

export const COLORS = {
  red: "#d62828",
  green: "#2a9d3a",
  blue: "#1f5fd6",
  yellow: "#f2d024",
  purple: "#7b3fb5",
  orange: "#f07f13",
} as const;

export type ColorName = keyof typeof COLORS;
export const COLOR_NAMES = Object.keys(COLORS) as ColorName[];

export const CATEGORIES = ["fruit", "toy", "tool"] as const;
export type Category = (typeof CATEGORIES)[number];

export interface ObjectKind {
  type: string;
  category: Category;
  /** The colors this type comes in (fruits keep their natural colors). */
  colors: readonly ColorName[];
  /** Elongated shapes get a random yaw, which a pick aligns the gripper to; round ones stay at yaw 0. */
  oriented: boolean;
  /** True when training robot instructions may name this type; false for web-only types. */
  robot: boolean;
}

const ANY: readonly ColorName[] = COLOR_NAMES;

export const OBJECT_KINDS: readonly ObjectKind[] = [
  { type: "apple", category: "fruit", colors: ["red", "green", "yellow"], oriented: false, robot: true },
  { type: "banana", category: "fruit", colors: ["yellow", "green"], oriented: true, robot: true },
  { type: "orange", category: "fruit", colors: ["orange"], oriented: false, robot: true },
  { type: "grape", category: "fruit", colors: ["purple", "green"], oriented: false, robot: false },
  { type: "pear", category: "fruit", colors: ["green", "yellow"], oriented: false, robot: false },
  { type: "block", category: "toy", colors: ANY, oriented: false, robot: true },
  { type: "ball", category: "toy", colors: ANY, oriented: false, robot: true },
  { type: "car", category: "toy", colors: ANY, oriented: true, robot: true },
  { type: "hammer", category: "tool", colors: ANY, oriented: true, robot: true },
  { type: "wrench", category: "tool", colors: ANY, oriented: true, robot: false },
  { type: "screwdriver", category: "tool", colors: ANY, oriented: true, robot: false },
];

export const OBJECT_TYPES = OBJECT_KINDS.map((k) => k.type);
export const ROBOT_TYPES = OBJECT_KINDS.filter((k) => k.robot).map((k) => k.type);
export const WEB_ONLY_TYPES = OBJECT_KINDS.filter((k) => !k.robot).map((k) => k.type);

const BY_TYPE = new Map(OBJECT_KINDS.map((k) => [k.type, k]));

export function kindOf(type: string): ObjectKind {
  const kind = BY_TYPE.get(type);
  if (!kind) throw new RangeError(`unknown object type ${JSON.stringify(type)}; known: ${OBJECT_TYPES.join(", ")}`);
  return kind;
}

/** "fruit" → "fruits": the plural used in count questions. */
export function pluralOf(word: string): string {
  return word.endsWith("h") ? `${word}es` : `${word}s`;
}

/** "an orange", "a pear". */
export function withArticle(word: string): string {
  return `${/^[aeiou]/.test(word) ? "an" : "a"} ${word}`;
}
