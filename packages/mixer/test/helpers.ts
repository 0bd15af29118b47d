import type { RecordBatch } from "apache-arrow";
import { fromBatches, fromRows, readUtf8, rowsToBatch, shuffle } from "@cotrain/core";
import type { Data } from "apache-arrow";
import type { RowInput, Source } from "@cotrain/core";

/** `n` canonical rows of one source: robot rows carry an action and state, web rows do not. */
export function makeRows(source: string, n: number, kind: "robot" | "vqa" = source.startsWith("web") ? "vqa" : "robot"): RowInput[] {
  return Array.from({ length: n }, (_, i) => ({
    source,
    kind,
    sample_id: `${source}-${i}`,
    images: [new Uint8Array([i & 0xff, (i >> 8) & 0xff, 7])],
    cameras: ["cam0"],
    messages: [{ role: "user" as const, content: `${source} row ${i}` }],
    ...(kind === "robot" ? { action: [i, i + 0.5, -i], state: [i / 2], episode_index: i >> 3, step_index: i & 7, is_first: (i & 7) === 0, is_last: (i & 7) === 7 } : {}),
  }));
}

/** A fromRows source of `n` rows named `name`, optionally block-shuffled per (seed, epoch). */
export function rowsSource(name: string, n: number, options: { batchSize?: number; shuffleSeed?: number } = {}): Source {
  const base = fromRows(makeRows(name, n), { batchSize: options.batchSize ?? 7, name });
  return options.shuffleSeed === undefined ? base : shuffle(base, { bufferSize: 16, seed: options.shuffleSeed, batchSize: options.batchSize ?? 7 });
}

function column(batch: RecordBatch, name: string): Data {
  const v = batch.getChild(name);
  if (v === null) throw new Error(`no column ${name}`);
  return v.data[0] as Data;
}

/** The `source` and `sample_id` of every row, read straight from the Arrow buffers. */
export function idsOf(batch: RecordBatch): { source: string; id: string }[] {
  const s = column(batch, "source");
  const id = column(batch, "sample_id");
  return Array.from({ length: batch.numRows }, (_, i) => ({ source: readUtf8(s, i) as string, id: readUtf8(id, i) as string }));
}

/** Rows per source name in a batch. */
export function countsOf(batch: RecordBatch, names: readonly string[]): number[] {
  const counts = names.map(() => 0);
  for (const { source } of idsOf(batch)) counts[names.indexOf(source)]!++;
  return counts;
}

/** Reads every batch of a source's current epoch (bounded). */
export async function drain(source: Source, limit = 100_000): Promise<RecordBatch[]> {
  const out: RecordBatch[] = [];
  for (let b = await source.next(); b !== null && out.length < limit; b = await source.next()) out.push(b);
  return out;
}

/** A source over batches built once (cheap to re-read every epoch); no reshuffle between epochs. */
export function cachedSource(name: string, n: number, batchSize: number): Source {
  const rows = makeRows(name, n);
  const batches = Array.from({ length: Math.ceil(n / batchSize) }, (_, k) => rowsToBatch(rows.slice(k * batchSize, (k + 1) * batchSize)));
  return fromBatches(batches, name);
}

/** The row number inside its source, from a `name-i` sample id. */
export function rowNumber(id: string): number {
  return Number(id.slice(id.lastIndexOf("-") + 1));
}
