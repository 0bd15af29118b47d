export { errorOf } from "@cotrain/test-utils";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { batchToRows, collect } from "@cotrain/core";
import type { CanonicalRow, Source } from "@cotrain/core";
import type { VqaEntry } from "@cotrain/vqa";

export const tmp = (): string => mkdtempSync(join(tmpdir(), "cotrain-vqa-"));

/** A small real image, different per `seed`. */
export async function makeImage(seed: number, format: "png" | "jpeg" = "png"): Promise<Uint8Array> {
  const raw = Buffer.alloc(12 * 10 * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * (seed + 3) * 7 + seed * 31) & 0xff;
  const img = sharp(raw, { raw: { width: 12, height: 10, channels: 3 } });
  return new Uint8Array(await (format === "png" ? img.png() : img.jpeg()).toBuffer());
}

/**
 * Entries covering the shapes LLaVA data has: one image with the marker opening or closing the first human
 * turn, multi-turn, text-only, a system turn, several images, shared images, non-ASCII text and escapes.
 */
export function makeEntries(n: number, images: Uint8Array[]): VqaEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const kind = i % 5;
    const image = (k: number) => ({ path: `${k % 2 ? "coco" : "gqa"}/img_${k}.png`, bytes: images[k % images.length] as Uint8Array });
    const conversations: VqaEntry["conversations"] = [
      { from: "human", value: kind === 1 ? `What is in picture ${i}? "quoted" \\ slash\n<image>` : `<image>\nWhat colour is object ${i}? é ✓ 日本 😀` },
      { from: "gpt", value: `It is colour ${i % 7}.` },
    ];
    if (kind === 2) conversations.push({ from: "human", value: "And then?\ttab" }, { from: "gpt", value: `Then ${i}.` });
    if (kind === 3) {
      conversations[0] = { from: "human", value: `A text-only question ${i}` };
      conversations.unshift({ from: "system", value: "You are helpful." });
    }
    const imgs = kind === 3 ? [] : kind === 4 ? [image(i), image(i + 1)] : [image(i)];
    return { id: `e${String(i).padStart(4, "0")}`, images: imgs, conversations };
  });
}

const ROLE = { human: "user", gpt: "assistant", system: "system" } as const;

/** The canonical row a reader must produce for an entry. */
export function expectedRow(entry: VqaEntry, source: string) {
  return {
    source,
    kind: "vqa",
    sample_id: entry.id,
    images: entry.images.map((i) => Array.from(i.bytes as Uint8Array)),
    cameras: entry.images.map(() => "image"),
    messages: entry.conversations.map((t) => ({ role: ROLE[t.from], content: t.value })),
    action: null,
    state: null,
  };
}

export function plainRow(row: CanonicalRow) {
  return {
    source: row.source,
    kind: row.kind,
    sample_id: row.sample_id,
    images: row.images.map((b) => Array.from(b)),
    cameras: row.cameras,
    messages: row.messages,
    action: row.action,
    state: row.state,
  };
}

export async function readRows(source: Source): Promise<CanonicalRow[]> {
  return (await collect(source)).flatMap(batchToRows);
}

