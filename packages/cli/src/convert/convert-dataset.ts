import { writeShards } from "@cotrain/core";
import type { JsonValue, Manifest, ShardFormat, ShardSpec } from "@cotrain/core";
import { preprocessImages, resolvePreprocess } from "@cotrain/vision";
import type { PreprocessOptions } from "@cotrain/vision";
import { openInput } from "../formats/open-input.js";
import type { InputSpec } from "../formats/open-input.js";
import type { OutputStream } from "../io.js";
import { planProgress, progressPlan, withProgress } from "../progress-plan.js";

export interface ConvertOptions {
  /** Shard file format (default "arrow"). */
  format?: ShardFormat;
  /** This job's part of the input (`--shard i/n`): n jobs with the same output folder cover the input once. */
  shard?: ShardSpec;
  /** Rows per shard file (default: core's 50,000). */
  maxRowsPerShard?: number;
  /**
   * Resize (and re-encode) every image while converting (`--image-size`, `--image-format`, ...), so training
   * decodes small images or, with format "raw", copies pixels. Recorded as the manifest's `meta.images`.
   */
  images?: PreprocessOptions;
  /**
   * Continue a conversion that was interrupted in `out` (killed, crashed) from its last complete shard, with the
   * same input and options: core's writeShards `resume`. The shards come out as an uninterrupted run writes them.
   */
  resume?: boolean;
  progress?: OutputStream;
  baseDir?: string;
}

export interface ConvertResult {
  manifest: Manifest;
  input: { path: string; format: string };
  /** What `resume` found: the interrupted run's complete shards and rows kept, or a finished job (null: none). */
  resumed: { shards: number; rows: number; finished: boolean } | null;
}

/**
 * Any supported input → canonical shards plus a manifest (core's writeShards). With `shard`, the reader reads only
 * this worker's part (RLDS: its shard files; LeRobot: its episodes; LLaVA/Parquet: entries index mod n; shards:
 * its shard files), and the files and manifest carry the worker index, so n jobs can write into one folder.
 * With `images`, the images are resized once here (vision's preprocessImages) with the collator's defaults, so a
 * collator of the same size reads back the pixels it would have computed from the original images.
 */
export async function convertDataset(spec: InputSpec, out: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const images = options.images ? resolvePreprocess(options.images) : null; // bad options fail before any read
  const input = await openInput(spec, { batchSize: 256, ...(options.shard ? { shard: options.shard } : {}), ...(options.baseDir ? { baseDir: options.baseDir } : {}) });
  const whole = !options.shard || options.shard.count === 1;
  const summary = whole ? await input.format.summarize(input.path, input.options).catch(() => null) : null;
  // By episodes only on a fresh run: a resumed one reports the rows already written (writeShards' onProgress).
  const plan = options.resume ? { total: summary?.counts.steps ?? summary?.counts.rows ?? null, unit: "rows" as const } : progressPlan(summary);
  const label = `convert ${input.format.name}${options.shard ? ` ${options.shard.index}/${options.shard.count}` : ""}`;
  const progress = options.progress ? planProgress(label, plan, options.progress) : null;
  try {
    const read = progress && plan.unit === "episodes" ? withProgress(input.source, progress, plan) : input.source;
    const source = options.images ? preprocessImages(read, options.images) : read;
    let resumed: ConvertResult["resumed"] = null;
    const manifest = await writeShards(source, out, {
      format: options.format ?? "arrow",
      ...(options.shard ? { worker: options.shard } : {}),
      ...(options.maxRowsPerShard ? { maxRowsPerShard: options.maxRowsPerShard } : {}),
      ...(progress && plan.unit === "rows" ? { onProgress: (rows: number) => progress.update(rows) } : {}),
      ...(images ? { meta: { images: { ...images } as unknown as JsonValue } } : {}),
      ...(options.resume ? { resume: true, onResume: (from: NonNullable<ConvertResult["resumed"]>) => (resumed = from) } : {}),
    });
    return { manifest, input: { path: input.path, format: input.format.name }, resumed };
  } finally {
    progress?.stop();
    await input.source.close?.();
  }
}
