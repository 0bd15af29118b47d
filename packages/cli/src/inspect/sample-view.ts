import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import type { CanonicalRow, Message } from "@cotrain/core";
import { decodeImage, isRawImage, probeImage } from "@cotrain/vision";

export interface SampleImage {
  camera: string;
  bytes: number;
  /** From the image header; null when it cannot be read. */
  width: number | null;
  height: number | null;
  format: string;
  /** The PNG written for this image (the first image of each sample, with `previews`). */
  preview?: string;
}

/** A canonical row as plain JSON for printing: numbers as arrays, images as their sizes. */
export interface SampleView {
  source: string;
  kind: string;
  sampleId: string;
  episodeIndex: number | null;
  stepIndex: number | null;
  isFirst: boolean | null;
  isLast: boolean | null;
  messages: Message[];
  action: number[] | null;
  actionIsPad: boolean[] | null;
  state: number[] | null;
  images: SampleImage[];
}

async function imageInfo(bytes: Uint8Array, camera: string): Promise<SampleImage> {
  try {
    if (isRawImage(bytes)) {
      // Preprocessed pixels (`convert --image-format raw`): the header says it all, and sharp cannot read them.
      const info = await probeImage(bytes);
      return { camera, bytes: bytes.length, width: info.width, height: info.height, format: info.format };
    }
    const meta = await sharp(bytes).metadata();
    return { camera, bytes: bytes.length, width: meta.width ?? null, height: meta.height ?? null, format: meta.format ?? "unknown" };
  } catch {
    return { camera, bytes: bytes.length, width: null, height: null, format: "unreadable" };
  }
}

const safeName = (s: string): string => s.replace(/[^\w.-]+/g, "_").slice(0, 60);

/**
 * Turns rows into sample views; with `previewDir`, decodes the first image of each sample (through
 * @cotrain/vision, so a bad image fails with its sample named) and writes it as PNG.
 */
export async function sampleViews(rows: readonly CanonicalRow[], previewDir?: string): Promise<SampleView[]> {
  if (previewDir) await mkdir(previewDir, { recursive: true });
  const views: SampleView[] = [];
  for (const [i, row] of rows.entries()) {
    const images = await Promise.all(row.images.map((bytes, k) => imageInfo(bytes, row.cameras[k] ?? `image${k}`)));
    const first = row.images[0];
    if (previewDir && first && images[0]) {
      const pixels = await decodeImage(first, { id: row.sample_id, row: i, field: "images" });
      const file = join(previewDir, `sample-${String(i).padStart(2, "0")}-${safeName(row.sample_id)}-${safeName(images[0].camera)}.png`);
      await writeFile(file, await sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels as 3 } }).png().toBuffer());
      images[0].preview = file;
    }
    views.push({
      source: row.source,
      kind: row.kind,
      sampleId: row.sample_id,
      episodeIndex: row.episode_index,
      stepIndex: row.step_index,
      isFirst: row.is_first,
      isLast: row.is_last,
      messages: row.messages.map((m) => ({ role: m.role, content: m.content })),
      action: row.action ? Array.from(row.action) : null,
      actionIsPad: row.action_is_pad ? [...row.action_is_pad] : null,
      state: row.state ? Array.from(row.state) : null,
      images,
    });
  }
  return views;
}
