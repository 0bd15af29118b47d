import parquet from "parquetjs-lite";
import type { FieldSpec } from "parquetjs-lite";
import { ValueError, writeAtomically } from "@cotrain/core";
import type { VqaEntry } from "../entry.js";
import { checkEntry } from "../entry-check.js";
import type { WriteSummary } from "../llava/write-llava.js";

export interface WriteParquetVqaOptions {
  /**
   * "conversations" (default): a `conversations` list of `{from, value}` structs, as LLaVA conversions on the
   * Hub store them. "qa": `question` and `answer` string columns; every entry must be one human turn then one
   * gpt turn.
   */
  layout?: "conversations" | "qa";
  /** Store images as an `images` list of `{bytes, path}` structs instead of one `image` struct (default false). */
  multiImage?: boolean;
  /** Rows per row group (default 256). */
  rowGroupSize?: number;
}

const SNAPPY = "SNAPPY";
const IMAGE_STRUCT: Record<string, FieldSpec> = {
  bytes: { type: "BYTE_ARRAY", optional: true, compression: SNAPPY },
  path: { type: "UTF8", optional: true, compression: SNAPPY },
};

/**
 * Writes entries as a Parquet VQA table (snappy): `id`, the image as a `{bytes, path}` struct (the Hugging Face
 * `datasets` Image feature, null for text-only rows), and the text in the chosen layout. Written to a temporary
 * name and renamed onto `path` when complete.
 */
export async function writeParquetVqa(path: string, entries: Iterable<VqaEntry> | AsyncIterable<VqaEntry>, options: WriteParquetVqaOptions = {}): Promise<WriteSummary> {
  const layout = options.layout ?? "conversations";
  if (layout !== "conversations" && layout !== "qa") throw new RangeError(`layout must be "conversations" or "qa", got ${JSON.stringify(layout)}`);
  const rowGroupSize = options.rowGroupSize ?? 256;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize <= 0) throw new RangeError(`rowGroupSize must be a positive integer, got ${rowGroupSize}`);
  const multi = options.multiImage ?? false;
  const fields: Record<string, FieldSpec> = { id: { type: "UTF8", compression: SNAPPY } };
  if (multi) fields.images = { repeated: true, fields: IMAGE_STRUCT };
  else fields.image = { optional: true, fields: IMAGE_STRUCT };
  if (layout === "qa") {
    fields.question = { type: "UTF8", compression: SNAPPY };
    fields.answer = { type: "UTF8", compression: SNAPPY };
  } else {
    fields.conversations = { repeated: true, fields: { from: { type: "UTF8", compression: SNAPPY }, value: { type: "UTF8", compression: SNAPPY } } };
  }
  const schema = new parquet.ParquetSchema(fields);
  let count = 0;
  let images = 0;
  await writeAtomically(path, async (tmp) => {
    const writer = await parquet.ParquetWriter.openFile(schema, tmp, { rowGroupSize });
    try {
      for await (const entry of entries) {
        checkEntry(entry, count, path);
        const at = { file: path, row: count, id: entry.id };
        const row: Record<string, unknown> = { id: entry.id };
        const structs = entry.images.map((image) => ({ ...(image.bytes === undefined ? {} : { bytes: Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength) }), path: image.path }));
        if (multi) row.images = structs;
        else if (structs.length > 1) throw new ValueError("PARQUET_WRITE_MULTI_IMAGE", `the entry has ${structs.length} images; pass multiImage: true to store an images list`, { ...at, field: "images" });
        else if (structs.length === 1) row.image = structs[0];
        if (layout === "qa") {
          const [q, a, ...rest] = entry.conversations;
          if (q?.from !== "human" || a?.from !== "gpt" || rest.length > 0) {
            throw new ValueError("PARQUET_WRITE_QA_SHAPE", `the qa layout needs exactly one human turn then one gpt turn, got ${entry.conversations.map((t) => t.from).join(", ")}`, { ...at, field: "conversations" });
          }
          row.question = q.value;
          row.answer = a.value;
        } else {
          row.conversations = entry.conversations.map((t) => ({ from: t.from, value: t.value }));
        }
        await writer.appendRow(row);
        count++;
        images += structs.length;
      }
    } finally {
      await writer.close();
    }
  });
  return { entries: count, images };
}
