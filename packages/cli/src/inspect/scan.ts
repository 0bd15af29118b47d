import { batchToRows } from "@cotrain/core";
import type { CanonicalRow, Source } from "@cotrain/core";
import type { Progress } from "../progress.js";

export interface ScanOptions {
  /** Rows to keep as samples: robot data keeps the first step of each episode, other data the first rows. */
  samples: number;
  /** Read to the end (counting) or stop once the samples are in. */
  toEnd: boolean;
  progress?: Progress;
  /** What the progress counts: rows, or episodes (is_first rows). */
  progressUnit?: "rows" | "episodes";
}

export interface ScanResult {
  rows: number;
  /** Rows with is_first set. */
  episodes: number;
  kinds: Record<string, number>;
  sources: Record<string, number>;
  columns: string[];
  samples: CanonicalRow[];
  /** Whether the source was read to its end. */
  complete: boolean;
}

/**
 * One pass over a source that counts rows, episodes and kinds and picks sample rows. Robot samples are episode
 * starts, so a few samples show a few episodes rather than consecutive steps of the first one.
 */
export async function scanSource(source: Source, options: ScanOptions): Promise<ScanResult> {
  const result: ScanResult = { rows: 0, episodes: 0, kinds: {}, sources: {}, columns: [], samples: [], complete: false };
  const starts: CanonicalRow[] = [];
  const others: CanonicalRow[] = [];
  const enough = (): boolean => starts.length >= options.samples || (result.kinds.robot === undefined && others.length >= options.samples);
  for (;;) {
    const batch = await source.next();
    if (batch === null) {
      result.complete = true;
      break;
    }
    if (result.columns.length === 0) result.columns = batch.schema.fields.map((f) => f.name);
    for (const row of batchToRows(batch)) {
      result.rows++;
      if (row.is_first) result.episodes++;
      result.kinds[row.kind] = (result.kinds[row.kind] ?? 0) + 1;
      result.sources[row.source] = (result.sources[row.source] ?? 0) + 1;
      if (row.kind === "robot" && row.is_first && starts.length < options.samples) starts.push(row);
      else if (others.length < options.samples) others.push(row);
    }
    options.progress?.update(options.progressUnit === "episodes" ? result.episodes : result.rows, undefined, result.rows);
    if (!options.toEnd && enough()) break;
  }
  result.samples = [...starts, ...others].slice(0, options.samples);
  return result;
}
