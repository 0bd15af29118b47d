import { describe, expect, it } from "vitest";
import { decodeImage } from "@cotrain/vision";
import { OBJECT_KINDS, QUESTION_KINDS, REGION_MARGIN, makeVqaEntries, makeVqaEntry, possibleAnswers } from "@cotrain/synth";
import type { SceneObject } from "@cotrain/synth";

const CATEGORY = new Map(OBJECT_KINDS.map((k) => [k.type, k.category as string]));

/** The quarter of the table a position is in, computed independently (null within REGION_MARGIN of a middle line). */
function region(o: SceneObject): string | null {
  if (Math.abs(o.x - 0.5) < REGION_MARGIN || Math.abs(o.y - 0.5) < REGION_MARGIN) return null;
  return `${o.y < 0.5 ? "top" : "bottom"} ${o.x < 0.5 ? "left" : "right"}`;
}

/**
 * An independent reading of each question against the scene description: parses the question text and computes
 * the answer from the objects, or returns null when the question would be ambiguous for this scene.
 */
function solve(question: string, objects: SceneObject[]): string | null {
  const only = <T>(items: T[]): T | null => (items.length === 1 ? (items[0] as T) : null);
  const byType = (t: string): SceneObject | null => only(objects.filter((o) => o.type === t));
  const byPhrase = (color: string, noun: string): SceneObject | null => only(objects.filter((o) => o.color === color && (o.type === noun || CATEGORY.get(o.type) === noun)));
  let m: RegExpMatchArray | null;
  if ((m = question.match(/^What color is the (\w+)\?$/))) return byType(m[1] as string)?.color ?? null;
  if (question === "How many objects are on the table?") return String(objects.length);
  if ((m = question.match(/^How many (fruit|toy|tool)s are there\?$/))) return String(objects.filter((o) => CATEGORY.get(o.type) === m?.[1]).length);
  if ((m = question.match(/^How many (\w+) objects are there\?$/))) return String(objects.filter((o) => o.color === m?.[1]).length);
  if ((m = question.match(/^Which object is an? (\w+)\?$/))) return only(objects.filter((o) => CATEGORY.get(o.type) === m?.[1]))?.type ?? null;
  if ((m = question.match(/^What is the (\w+) (fruit|toy|tool)\?$/))) return byPhrase(m[1] as string, m[2] as string)?.type ?? null;
  if ((m = question.match(/^What kind of object is the (\w+)\?$/))) return objects.some((o) => o.type === m?.[1]) ? (CATEGORY.get(m[1] as string) ?? null) : null;
  if ((m = question.match(/^Is there an? (\w+) on the table\?$/))) return objects.some((o) => o.type === m?.[1]) ? "yes" : "no";
  if ((m = question.match(/^Where is the (\w+) (\w+)\?$/))) {
    const o = byPhrase(m[1] as string, m[2] as string);
    return o ? region(o) : null;
  }
  throw new Error(`unparsed question: ${question}`);
}

describe("VQA entries", () => {
  it("answer every question correctly and unambiguously for the scene, in LLaVA turn order", async () => {
    const entries = await makeVqaEntries({ seed: 5, split: "train", from: 0, count: 400, size: 16 });
    const kinds = new Map<string, number>();
    let multi = 0;
    const answers = new Set(possibleAnswers(4));
    for (const e of entries) {
      expect(e.conversations.length === 2 || e.conversations.length === 4).toBe(true);
      if (e.conversations.length === 4) multi++;
      expect(e.conversations.map((t) => t.from)).toEqual(e.conversations.map((_, i) => (i % 2 === 0 ? "human" : "gpt")));
      expect(e.conversations[0]?.value.startsWith("<image>\n")).toBe(true);
      expect(e.conversations.slice(1).some((t) => t.value.includes("<image>"))).toBe(false);
      expect(e.objects.length).toBeGreaterThanOrEqual(2);
      expect(e.objects.length).toBeLessThanOrEqual(4);
      for (let i = 0; i < e.questions.length; i++) {
        const q = e.questions[i];
        if (!q) throw new Error("no question");
        const human = (e.conversations[2 * i]?.value ?? "").replace("<image>\n", "");
        expect(human).toBe(q.question);
        expect(e.conversations[2 * i + 1]?.value).toBe(q.answer);
        expect(solve(q.question, e.objects), `${q.question} in ${JSON.stringify(e.objects)}`).toBe(q.answer);
        expect(answers.has(q.answer), q.answer).toBe(true);
        kinds.set(q.kind, (kinds.get(q.kind) ?? 0) + 1);
      }
      if (e.questions.length === 2) expect(e.questions[0]?.question).not.toBe(e.questions[1]?.question);
    }
    // Every kind is common.
    for (const kind of QUESTION_KINDS) expect(kinds.get(kind) ?? 0, kind).toBeGreaterThan(40);
    expect(multi).toBeGreaterThan(60);
    expect(multi).toBeLessThan(140);
  });

  it("ask about web-only objects too, and answers are short exact-match strings", async () => {
    const entries = await makeVqaEntries({ seed: 9, split: "eval", from: 0, count: 200, size: 16 });
    const asked = entries.flatMap((e) => e.questions.map((q) => q.question)).join(" ");
    for (const type of ["grape", "pear", "wrench", "screwdriver"]) expect(asked).toContain(type);
    for (const e of entries) for (const q of e.questions) expect(q.answer).toMatch(/^[a-z0-9]+( [a-z]+)?$/);
    // Descriptions ("the red fruit") are asked about, by name of the type and by position.
    expect(asked).toMatch(/What is the \w+ (fruit|toy|tool)\?/);
    expect(asked).toMatch(/Where is the \w+ (fruit|toy|tool)\?/);
    expect(asked).toMatch(/Where is the \w+ (apple|banana|orange|block|ball|car|hammer)\?/);
  });

  it("render the same bytes alone or in a block, at the asked size; seeds and splits differ", async () => {
    const block = await makeVqaEntries({ seed: 1, split: "train", from: 10, count: 5, size: 64 });
    for (const [k, e] of block.entries()) {
      const single = await makeVqaEntry({ seed: 1, split: "train", index: 10 + k, size: 64 });
      expect(Buffer.from(single.image).equals(Buffer.from(e.image))).toBe(true);
      expect(single.conversations).toEqual(e.conversations);
      expect(e.id).toBe(`synth_train_${String(10 + k).padStart(6, "0")}`);
    }
    const image = await decodeImage(block[0]?.image as Uint8Array);
    expect([image.width, image.height, image.channels]).toEqual([64, 64, 3]);
    const other = await makeVqaEntry({ seed: 2, split: "train", index: 10, size: 64 });
    const evalEntry = await makeVqaEntry({ seed: 1, split: "eval", index: 10, size: 64 });
    expect(Buffer.from(other.image).equals(Buffer.from(block[0]?.image as Uint8Array))).toBe(false);
    expect(Buffer.from(evalEntry.image).equals(Buffer.from(block[0]?.image as Uint8Array))).toBe(false);
  });
});
