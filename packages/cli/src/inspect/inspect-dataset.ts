import type { Source } from "@cotrain/core";
import { resolveInput } from "../formats/open-input.js";
import type { InputSpec } from "../formats/open-input.js";
import type { DatasetSummary } from "../formats/registry.js";
import type { OutputStream } from "../io.js";
import { createProgress } from "../progress.js";
import { scanSource } from "./scan.js";
import { sampleViews } from "./sample-view.js";
import type { SampleView } from "./sample-view.js";

export interface InspectOptions {
  /** Sample rows to show (default 3). */
  samples?: number;
  /** Write the first image of each sample as PNG into this folder. */
  previews?: string;
  /** Stream the data to count it when the metadata does not say (default true). */
  count?: boolean;
  /** Where the progress goes while streaming (default: nowhere). */
  progress?: OutputStream;
  baseDir?: string;
}

export interface InspectReport {
  path: string;
  format: string;
  /** True when the format was worked out from the path. */
  detected: boolean;
  kind: DatasetSummary["kind"];
  counts: Record<string, number>;
  /** Where each count came from (a metadata file, or "streamed"). */
  countsFrom: Record<string, string>;
  features: string[];
  details: Record<string, string>;
  /** Columns of the canonical batches the reader yields. */
  columns: string[];
  /** Rows per kind and per source column value, when the data was streamed. */
  kinds: Record<string, number> | null;
  sources: Record<string, number> | null;
  samples: SampleView[];
  previews: string[];
}

/** The count that says how big a dataset is, per kind: steps of robot data, entries of VQA data, rows of shards. */
const PRIMARY = { robot: "steps", vqa: "entries", mixed: "rows" } as const;

/**
 * What a dataset is: its format (given or detected), counts from metadata where that is cheap, otherwise by
 * streaming it once, its features, and a few sample rows (with PNG previews of their first image).
 */
export async function inspectDataset(spec: InputSpec, options: InspectOptions = {}): Promise<InspectReport> {
  const samples = options.samples ?? 3;
  if (!Number.isInteger(samples) || samples < 0) throw new RangeError(`samples must be a non-negative integer, got ${samples}`);
  const input = await resolveInput(spec, options.baseDir ? { baseDir: options.baseDir } : {});
  const { format, path } = input;
  const summary = await format.summarize(path, input.options);
  const primary = PRIMARY[summary.kind];
  const stream = (options.count ?? true) && summary.counts[primary] === undefined;
  const countsFrom: Record<string, string> = Object.fromEntries(Object.keys(summary.counts).map((k) => [k, summary.countsFrom ?? "metadata"]));
  const counts = { ...summary.counts };

  // Counting needs no image decode; VQA readers decode every image by default, so that is turned off here.
  const readOptions = stream && format.kind === "vqa" && input.options.validateImages === undefined ? { ...input.options, validateImages: false } : input.options;
  const source: Source = await format.open({ path, options: readOptions, batchSize: stream ? 256 : Math.max(16, samples) });
  const byEpisodes = summary.kind === "robot" && counts.episodes !== undefined;
  const progress = stream && options.progress ? createProgress(`counting ${format.name}`, byEpisodes ? (counts.episodes ?? null) : null, options.progress, byEpisodes ? "episodes" : "rows", { rateUnit: "rows" }) : undefined;
  let scan;
  try {
    scan = await scanSource(source, { samples, toEnd: stream, ...(progress ? { progress, progressUnit: byEpisodes ? "episodes" : "rows" } : {}) });
  } finally {
    progress?.stop();
    await source.close?.();
  }
  if (stream) {
    counts[primary] = scan.rows;
    countsFrom[primary] = "streamed";
    if (summary.kind === "robot" && counts.episodes === undefined) {
      counts.episodes = scan.episodes;
      countsFrom.episodes = "streamed";
    }
  }
  const views = await sampleViews(scan.samples, options.previews);
  return {
    path,
    format: format.name,
    detected: spec.format === undefined,
    kind: summary.kind,
    counts,
    countsFrom,
    features: summary.features,
    details: summary.details,
    columns: scan.columns,
    kinds: stream ? scan.kinds : null,
    sources: stream ? scan.sources : null,
    samples: views,
    previews: views.flatMap((v) => v.images.flatMap((im) => (im.preview ? [im.preview] : []))),
  };
}
