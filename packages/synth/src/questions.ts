import type { Rng } from "@cotrain/core";
import { CATEGORIES, OBJECT_TYPES, pluralOf, withArticle } from "./objects.js";
import { describesOne, descriptionOf, regionOf } from "./refer.js";
import type { SceneObject } from "./scene.js";
import { nameOf } from "./scene.js";

export type QuestionKind = "color" | "category" | "identify" | "position" | "count" | "existence";
export const QUESTION_KINDS: readonly QuestionKind[] = ["color", "category", "identify", "position", "count", "existence"];

/** A question about a scene with its answer (one or two lowercase words, or a number), for exact-match scoring. */
export interface Question {
  kind: QuestionKind;
  question: string;
  answer: string;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)] as T;
const uniqueTypes = (objects: readonly SceneObject[]): string[] =>
  [...new Set(objects.map((o) => o.type))].filter((t) => objects.filter((o) => o.type === t).length === 1);

function color(rng: Rng, objects: readonly SceneObject[]): Question | null {
  const types = uniqueTypes(objects);
  if (types.length === 0) return null;
  const type = pick(rng, types);
  return { kind: "color", question: `What color is the ${type}?`, answer: (objects.find((o) => o.type === type) as SceneObject).color };
}

/** A fact about a type ("apple" → "fruit"), asked about an object in view. */
function category(rng: Rng, objects: readonly SceneObject[]): Question {
  const o = pick(rng, objects);
  return { kind: "category", question: `What kind of object is the ${o.type}?`, answer: o.category };
}

/** The type of the object a description picks out: "What is the red fruit?" → "apple". */
function identify(rng: Rng, objects: readonly SceneObject[]): Question | null {
  const single = CATEGORIES.filter((c) => objects.filter((o) => o.category === c).length === 1);
  if (single.length > 0 && rng.float() < 0.25) {
    const c = pick(rng, single);
    return { kind: "identify", question: `Which object is ${withArticle(c)}?`, answer: (objects.find((o) => o.category === c) as SceneObject).type };
  }
  const described = objects.filter((o) => describesOne(objects, o));
  if (described.length === 0) return null;
  const o = pick(rng, described);
  return { kind: "identify", question: `What is the ${descriptionOf(o)}?`, answer: o.type };
}

/** Where an object is, referred to by its name or by its description: "Where is the red fruit?" → "top left". */
function position(rng: Rng, objects: readonly SceneObject[]): Question | null {
  const placed = objects.filter((o) => regionOf(o) !== null);
  if (placed.length === 0) return null;
  const o = pick(rng, placed);
  const ref = describesOne(objects, o) && rng.float() < 0.5 ? descriptionOf(o) : nameOf(o);
  return { kind: "position", question: `Where is the ${ref}?`, answer: regionOf(o) as string };
}

function count(rng: Rng, objects: readonly SceneObject[]): Question {
  const form = rng.int(3);
  if (form === 0) return { kind: "count", question: "How many objects are on the table?", answer: String(objects.length) };
  if (form === 1) {
    const c = pick(rng, CATEGORIES);
    return { kind: "count", question: `How many ${pluralOf(c)} are there?`, answer: String(objects.filter((o) => o.category === c).length) };
  }
  const hue = pick(rng, objects).color;
  return { kind: "count", question: `How many ${hue} objects are there?`, answer: String(objects.filter((o) => o.color === hue).length) };
}

function existence(rng: Rng, objects: readonly SceneObject[]): Question {
  const present = rng.float() < 0.5;
  const absent = OBJECT_TYPES.filter((t) => !objects.some((o) => o.type === t));
  const type = present || absent.length === 0 ? pick(rng, objects).type : pick(rng, absent);
  return { kind: "existence", question: `Is there ${withArticle(type)} on the table?`, answer: objects.some((o) => o.type === type) ? "yes" : "no" };
}

const MAKERS: Record<QuestionKind, (rng: Rng, objects: readonly SceneObject[]) => Question | null> = { color, category, identify, position, count, existence };

/** Every question string the world can ask, with `{type}`-style slots: the tokenizer's vocabulary is built from these. */
export const QUESTION_TEMPLATES: readonly string[] = [
  "What color is the {type}?",
  "What kind of object is the {type}?",
  "Which object is a {category}?",
  "Which object is an {category}?",
  "What is the {color} {category}?",
  "Where is the {color} {type}?",
  "Where is the {color} {category}?",
  "How many objects are on the table?",
  "How many {categories} are there?",
  "How many {color} objects are there?",
  "Is there a {type} on the table?",
  "Is there an {type} on the table?",
];

/**
 * A question of a uniformly drawn kind whose answer the scene determines; a kind the scene cannot support
 * (no object of a unique type, no description that picks out one object, every object near a region border) is
 * redrawn, so every answer is unambiguous.
 */
export function askQuestion(rng: Rng, objects: readonly SceneObject[], avoid: ReadonlySet<string> = new Set()): Question {
  for (let tries = 0; ; tries++) {
    const q = MAKERS[pick(rng, QUESTION_KINDS)](rng, objects);
    if (q && !avoid.has(q.question)) return q;
    if (tries > 1000) throw new RangeError(`no new question for a scene of ${objects.length} objects`);
  }
}
