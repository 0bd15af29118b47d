import { makeData } from "apache-arrow";
import type { Data, DataType, RecordBatch } from "apache-arrow";
import { COLUMN, ImageError, columnsOf, makeBatch, map, readBinaryList, readUtf8 } from "@cotrain/core";
import type { Source } from "@cotrain/core";
import { decodePlan } from "./pool.js";
import { preprocessImage, resolvePreprocess } from "./preprocess.js";
import type { PreprocessOptions } from "./preprocess.js";

export interface PreprocessImagesOptions extends PreprocessOptions {
  /** Images in sharp's thread pool at once (default: the decode plan's, from the core count). */
  inFlight?: number;
}

/**
 * A Source that rewrites the `images` column of every batch with preprocessImage (resized, re-encoded), keeping
 * every other column, the schema and the row order; `state`/`restore` are the inner source's, since the rewrite
 * is a pure function of each batch. Several images of a batch are in sharp's pool at once; each lands in its own
 * slot, so timing never changes the output. An undecodable image raises ImageError naming the row (within its
 * batch), the sample id and the field.
 */
export function preprocessImages(source: Source, options: PreprocessImagesOptions): Source {
  const record = resolvePreprocess(options); // validate now, before any data is read
  if (options.inFlight !== undefined && !(Number.isInteger(options.inFlight) && options.inFlight >= 1)) {
    throw new RangeError(`preprocessImages: \`inFlight\` must be a positive integer, got ${JSON.stringify(options.inFlight)}`);
  }
  const [h, w] = record.size;
  const name = `preprocessImages(${h}x${w} ${record.resize} ${record.kernel} ${record.format}${record.quality === null ? "" : ` q${record.quality}`})`;
  return map(source, (batch) => rewriteImages(batch, options, options.inFlight ?? decodePlan().inFlight), name);
}

async function rewriteImages(batch: RecordBatch, options: PreprocessOptions, inFlight: number): Promise<RecordBatch> {
  const fields = batch.schema.fields;
  const at = fields.findIndex((f) => f.name === COLUMN.images);
  if (at < 0) return batch;
  const columns = columnsOf(batch).map((c) => c.slice(0, batch.numRows));
  const lists: (Uint8Array[] | null)[] = [];
  const jobs: { row: number; k: number; bytes: Uint8Array }[] = [];
  for (let row = 0; row < batch.numRows; row++) {
    const list = readBinaryList(columns[at] as Data, row);
    lists.push(list);
    list?.forEach((bytes, k) => jobs.push({ row, k, bytes }));
  }
  const idColumn = fields.findIndex((f) => f.name === COLUMN.sampleId);
  const where = (row: number, k: number, count: number): { row: number; id?: string; field: string } => {
    const id = idColumn < 0 ? null : readUtf8(columns[idColumn] as Data, row);
    return { row, ...(id === null ? {} : { id }), field: count > 1 ? `${COLUMN.images}[${k}]` : COLUMN.images };
  };

  const results: Uint8Array[] = new Array<Uint8Array>(jobs.length);
  const failures: { index: number; error: ImageError }[] = [];
  let next = 0;
  let stop = false;
  const worker = async (): Promise<void> => {
    while (!stop && next < jobs.length) {
      const index = next++;
      const job = jobs[index] as (typeof jobs)[number];
      try {
        results[index] = await preprocessImage(job.bytes, options, where(job.row, job.k, lists[job.row]?.length ?? 0));
      } catch (error) {
        stop = true;
        if (!(error instanceof ImageError)) throw error;
        failures.push({ index, error });
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(inFlight, jobs.length) }, worker));
  const crashed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (crashed !== undefined) throw crashed.reason;
  // Images start in order, so the lowest failing index is the same whatever the timing.
  if (failures.length > 0) throw failures.reduce((a, b) => (b.index < a.index ? b : a)).error;

  let j = 0;
  const rewritten = lists.map((list) => (list === null ? null : list.map(() => results[j++] as Uint8Array)));
  columns[at] = binaryListData((fields[at] as { type: DataType }).type, rewritten);
  return makeBatch(batch.schema, columns, batch.numRows);
}

/** A List<Binary> column of `type` holding `lists` (null = a null row), values copied into one buffer. */
function binaryListData(type: DataType, lists: readonly (readonly Uint8Array[] | null)[]): Data {
  const n = lists.length;
  const offsets = new Int32Array(n + 1);
  let items = 0;
  let bytes = 0;
  let nulls = 0;
  const nullBitmap = new Uint8Array(((n + 63) & ~63) >> 3);
  lists.forEach((list, i) => {
    if (list === null) nulls++;
    else {
      nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
      items += list.length;
      for (const b of list) bytes += b.length;
    }
    offsets[i + 1] = items;
  });
  if (bytes > 0x7fff_ffff) throw new RangeError(`preprocessImages: a batch's images would take ${bytes} bytes, over Arrow Binary's 2 GiB: use smaller batches`);
  const childOffsets = new Int32Array(items + 1);
  const values = new Uint8Array(bytes);
  let k = 0;
  for (const list of lists) {
    for (const b of list ?? []) {
      values.set(b, childOffsets[k] as number);
      childOffsets[k + 1] = (childOffsets[k] as number) + b.length;
      k++;
    }
  }
  const childType = (type as unknown as { children: { type: DataType }[] }).children[0]!.type;
  const child = makeData({ type: childType as never, length: items, nullCount: 0, valueOffsets: childOffsets, data: values });
  return makeData({ type: type as never, length: n, nullCount: nulls, ...(nulls > 0 ? { nullBitmap } : {}), valueOffsets: offsets, child } as never);
}
