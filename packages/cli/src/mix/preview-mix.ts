import type { MixConfig, MixStats } from "@cotrain/mixer";
import { loadConfig } from "../config/load-config.js";
import { buildMixer } from "../config/build-mixer.js";
import { buildSources, closeAll } from "../config/build-sources.js";
import { mixConfigSchema } from "../config/schema.js";

export interface MixPreviewBatch {
  index: number;
  rows: number;
  /** Rows of this batch per source name. */
  counts: Record<string, number>;
}

export interface MixPreview {
  /** The mixer's effective configuration (normalized weights, stop policy, …). */
  config: MixConfig;
  /** Format and path per source. */
  inputs: Record<string, { format: string; path: string }>;
  batches: MixPreviewBatch[];
  /** The mixer's accounting after the last batch read. */
  stats: MixStats;
}

/**
 * Reads up to `batches` batches of a mixture config's mixer and reports what each held per source, and the
 * mixer's per-source accounting (rows, share vs target, epochs, skipped) at the end.
 */
export async function previewMix(configPath: string, batches = 10): Promise<MixPreview> {
  if (!Number.isInteger(batches) || batches < 1) throw new RangeError(`batches must be a positive integer, got ${batches}`);
  const { config, dir } = await loadConfig(configPath, mixConfigSchema);
  const sources = await buildSources(config.sources, { dir, file: configPath });
  try {
    const mixer = buildMixer(sources, config.mixture, configPath);
    const names = mixer.config().sources;
    const out: MixPreviewBatch[] = [];
    let before = mixer.stats();
    for (let i = 0; i < batches; i++) {
      const batch = await mixer.next();
      if (batch === null) break;
      const after = mixer.stats();
      out.push({ index: i, rows: batch.numRows, counts: Object.fromEntries(names.map((n) => [n, (after.sources[n]?.delivered ?? 0) - (before.sources[n]?.delivered ?? 0)])) });
      before = after;
    }
    const stats = mixer.stats();
    await mixer.close?.();
    return {
      config: mixer.config(),
      inputs: Object.fromEntries(sources.map((s) => [s.name, { format: s.input.format.name, path: s.input.path }])),
      batches: out,
      stats,
    };
  } finally {
    await closeAll(sources.map((s) => s.source));
  }
}
