import type { Rng } from "@cotrain/core";
import { CATEGORIES, OBJECT_TYPES, pluralOf, withArticle } from "./objects.js";
import type { SceneObject } from "./scene.js";

export type QuestionKind = "color" | "count" | "category" | "relation" | "existence";
export const QUESTION_KINDS: readonly QuestionKind[] = ["color", "count", "category", "relation", "existence"];

/** A question about a scene with its one-word (or one-number) answer, lowercase, for exact-match scoring. */
export interface Question {
  kind: QuestionKind;
  question: string;
  answer: string;
}

/** Objects closer than this in x are neither left nor right of each other (too close to call at 64×64). */
export const RELATION_MARGIN = 0.08;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)] as T;
const uniqueTypes = (objects: readonly SceneObject[]): string[] =>
  [...new Set(objects.map((o) => o.type))].filter((t) => objects.filter((o) => o.type === t).length === 1);

function color(rng: Rng, objects: readonly SceneObject[]): Question | null {
  const types = uniqueTypes(objects);
  if (types.length === 0) return null;
  const type = pick(rng, types);
  return { kind: "color", question: `What color is the ${type}?`, answer: (objects.find((o) => o.type === type) as SceneObject).color };
}

function count(rng: Rng, objects: readonly SceneObject[]): Question {
  const form = rng.int(3);
  if (form === 0) return { kind: "count", question: "How many objects are on the table?", answer: String(objects.length) };
  if (form === 1) {
    const category = pick(rng, CATEGORIES);
    return { kind: "count", question: `How many ${pluralOf(category)} are there?`, answer: String(objects.filter((o) => o.category === category).length) };
  }
  const hue = pick(rng, objects).color;
  return { kind: "count", question: `How many ${hue} objects are there?`, answer: String(objects.filter((o) => o.color === hue).length) };
}

function category(rng: Rng, objects: readonly SceneObject[]): Question | null {
  const single = CATEGORIES.filter((c) => objects.filter((o) => o.category === c).length === 1);
  if (single.length > 0 && rng.float() < 0.5) {
    const c = pick(rng, single);
    return { kind: "category", question: `Which object is ${withArticle(c)}?`, answer: (objects.find((o) => o.category === c) as SceneObject).type };
  }
  const o = pick(rng, objects);
  return { kind: "category", question: `What kind of object is the ${o.type}?`, answer: o.category };
}

function relation(rng: Rng, objects: readonly SceneObject[]): Question | null {
  // Every left/right question the scene answers unambiguously, then one of them: drawing a reference first
  // and giving up when it is ambiguous would make relations rarer than the other kinds.
  const types = uniqueTypes(objects);
  const candidates: Question[] = [];
  for (const refType of types) {
    const ref = objects.find((o) => o.type === refType) as SceneObject;
    const others = objects.filter((o) => o !== ref);
    if (others.some((o) => Math.abs(o.x - ref.x) < RELATION_MARGIN)) continue;
    for (const side of ["left", "right"] as const) {
      const found = others.filter((o) => (side === "left" ? o.x < ref.x : o.x > ref.x));
      if (found.length === 1) candidates.push({ kind: "relation", question: `What is ${side} of the ${ref.type}?`, answer: (found[0] as SceneObject).type });
    }
    for (const o of others) {
      if (types.includes(o.type)) candidates.push({ kind: "relation", question: `Is the ${o.type} left or right of the ${ref.type}?`, answer: o.x < ref.x ? "left" : "right" });
    }
  }
  return candidates.length === 0 ? null : pick(rng, candidates);
}

function existence(rng: Rng, objects: readonly SceneObject[]): Question {
  const present = rng.float() < 0.5;
  const absent = OBJECT_TYPES.filter((t) => !objects.some((o) => o.type === t));
  const type = present || absent.length === 0 ? pick(rng, objects).type : pick(rng, absent);
  return { kind: "existence", question: `Is there ${withArticle(type)} on the table?`, answer: objects.some((o) => o.type === type) ? "yes" : "no" };
}

const MAKERS: Record<QuestionKind, (rng: Rng, objects: readonly SceneObject[]) => Question | null> = { color, count, category, relation, existence };

/**
 * A question of a uniformly drawn kind whose answer the scene determines; a kind the scene cannot support
 * (no object of a unique type, an ambiguous left/right) is redrawn, so every answer is unambiguous.
 */
export function askQuestion(rng: Rng, objects: readonly SceneObject[], avoid: ReadonlySet<string> = new Set()): Question {
  for (let tries = 0; ; tries++) {
    const q = MAKERS[pick(rng, QUESTION_KINDS)](rng, objects);
    if (q && !avoid.has(q.question)) return q;
    if (tries > 1000) throw new RangeError(`no new question for a scene of ${objects.length} objects`);
  }
}
