import { mkdir, open, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ConfigError, writeAtomically } from "@cotrain/core";
import type { VqaEntry } from "../entry.js";
import { checkEntry } from "../entry-check.js";
import { resolveImagePath } from "../image-path.js";

export interface WriteLlavaOptions {
  /** Where image bytes carried by the entries are written, each at its relative `path`. Required when any does. */
  imageRoot?: string;
}

export interface WriteSummary {
  entries: number;
  /** Image files written (each distinct path once). */
  images: number;
}

const FLUSH_AT = 1 << 20;

/**
 * Writes entries as a LLaVA instruct JSON array, one entry per line (`{id, image?, conversations}`; `image` is a
 * string for one image and a list for several, absent for none), streaming, to a temporary name renamed onto
 * `jsonPath` at the end. Image bytes go to `imageRoot/path`, each file written atomically too; a path written
 * once in a call is not written again (entries sharing an image share its file).
 */
export async function writeLlava(jsonPath: string, entries: Iterable<VqaEntry> | AsyncIterable<VqaEntry>, options: WriteLlavaOptions = {}): Promise<WriteSummary> {
  const written = new Set<string>();
  let count = 0;
  await writeAtomically(jsonPath, async (tmp) => {
    const handle = await open(tmp, "w");
    try {
      let pending = "[";
      for await (const entry of entries) {
        checkEntry(entry, count, jsonPath);
        for (const image of entry.images) {
          if (image.bytes === undefined || written.has(image.path)) continue;
          if (options.imageRoot === undefined) throw new ConfigError("LLAVA_WRITE_NO_IMAGE_ROOT", "entries carry image bytes but no imageRoot was given", { file: jsonPath, row: count, id: entry.id });
          const target = resolveImagePath(options.imageRoot, image.path, { file: jsonPath, row: count, id: entry.id, field: "image" });
          await mkdir(dirname(target), { recursive: true });
          const bytes = image.bytes;
          await writeAtomically(target, (t) => writeFile(t, bytes));
          written.add(image.path);
        }
        pending += `${count === 0 ? "\n" : ",\n"}${JSON.stringify(toLlavaJson(entry))}`;
        count++;
        if (pending.length >= FLUSH_AT) {
          await handle.write(pending);
          pending = "";
        }
      }
      await handle.write(`${pending}${count === 0 ? "" : "\n"}]\n`);
    } finally {
      await handle.close();
    }
  });
  return { entries: count, images: written.size };
}

function toLlavaJson(entry: VqaEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { id: entry.id };
  if (entry.images.length === 1) out.image = entry.images[0]?.path;
  else if (entry.images.length > 1) out.image = entry.images.map((i) => i.path);
  out.conversations = entry.conversations.map((t) => ({ from: t.from, value: t.value }));
  return out;
}
