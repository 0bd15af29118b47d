import type { Source } from "@cotrain/core";
import { computeStats, gripperMask, makeNormalizer, normalizeSource } from "@cotrain/robot";
import type { DatasetStats, Normalizer } from "@cotrain/robot";
import { openInput } from "../formats/open-input.js";
import type { ResolvedInput } from "../formats/open-input.js";
import type { InputConfig } from "./schema.js";

export interface BuiltSource {
  name: string;
  source: Source;
  input: ResolvedInput;
  /** Statistics and normalizers when the config asked for `normalize`. */
  stats: DatasetStats | null;
  normalizers: { action?: Normalizer; state?: Normalizer };
}

export interface BuildContext {
  /** The config file's folder (relative paths resolve against it) and the file itself, for messages. */
  dir: string;
  file?: string;
}

/**
 * Opens one configured input; its rows carry the config's name for it in the `source` column unless its options
 * set `source` (shards keep the names they were written with). With `normalize`, the input is read once first to compute its statistics (robot's
 * computeStats), and the source then yields normalized actions/states (q01/q99 or mean/std, gripper optionally
 * kept as it is).
 */
export async function buildSource(name: string, spec: InputConfig, ctx: BuildContext, field = `sources.${name}`, batchSize?: number, defaultSource: string | undefined = name): Promise<BuiltSource> {
  const how = { baseDir: ctx.dir, field, ...(ctx.file ? { file: ctx.file } : {}), ...(batchSize ? { batchSize } : {}), ...(defaultSource !== undefined ? { defaultSource } : {}) };
  const opened = await openInput(spec, how);
  const { source, ...input } = opened;
  if (!spec.normalize) return { name, source, input, stats: null, normalizers: {} };
  const statsSource = (await openInput(spec, how)).source;
  let stats: DatasetStats;
  try {
    stats = await computeStats(statsSource);
  } finally {
    await statsSource.close?.();
  }
  const { action, state, keepGripper } = spec.normalize;
  const normalizers: BuiltSource["normalizers"] = {};
  if (action) normalizers.action = makeNormalizer(stats.action, { mode: action, ...(keepGripper ? { mask: gripperMask(stats.action.mean.length) } : {}) });
  if (state && stats.state) normalizers.state = makeNormalizer(stats.state, { mode: state });
  const normalized = normalizeSource(source, normalizers);
  // Keep the reader's skip counts visible through the wrapper (the mixer reports them per source).
  const skipped = (source as { skipped?: () => Record<string, number> }).skipped;
  return { name, source: skipped ? Object.assign(normalized, { skipped: () => skipped.call(source) }) : normalized, input, stats, normalizers };
}

export async function buildSources(specs: Record<string, InputConfig>, ctx: BuildContext, batchSize?: number): Promise<BuiltSource[]> {
  const built: BuiltSource[] = [];
  try {
    for (const [name, spec] of Object.entries(specs)) built.push(await buildSource(name, spec, ctx, `sources.${name}`, batchSize));
  } catch (error) {
    await closeAll(built.map((b) => b.source));
    throw error;
  }
  return built;
}

export async function closeAll(sources: readonly Source[]): Promise<void> {
  await Promise.all(sources.map((s) => s.close?.()));
}
