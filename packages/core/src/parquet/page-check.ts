import type { ColumnMetaData, CompressionCodec, PageHeader } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { decompress } from "./codecs.js";
import { checkDataPageV1, checkDataPageV2, checkDictionaryPage } from "./page-body.js";
import { pageHeaderTypeFault } from "./page-header-types.js";
import type { ChunkFacts, PageCounts } from "./page-body.js";

export type { ChunkFacts } from "./page-body.js";

/** The first page of a column chunk whose framing or content is wrong, and what is wrong with it. */
export interface PageFault {
  /** 0-based page number within the chunk (a dictionary page, when present, is page 0); -1 for the chunk as a whole. */
  page: number;
  /** Byte offset of the page header in the file (of the chunk's end, for the chunk as a whole). */
  offset: number;
  message: string;
}

/** A page the check decompressed, kept so that the decode that follows does not decompress it again. */
export interface DecompressedPage {
  input: Uint8Array;
  output: Uint8Array;
}

/** What the check learnt for the decode: the pages it decompressed, and whether a v2 row count is off. */
export interface ChunkCheck {
  pages: DecompressedPage[];
  /** A data page v2 whose header gives another row count than its levels: page skipping by it would be wrong. */
  rowCountDiffers: boolean;
}

/** Where a column chunk's pages lie in the file: from its dictionary page (if any) over `total_compressed_size`. */
export function chunkRange(meta: ColumnMetaData): { start: number; end: number } {
  const dictionary = meta.dictionary_page_offset;
  const start = Number(dictionary !== undefined && dictionary > 0n && dictionary < meta.data_page_offset ? dictionary : meta.data_page_offset);
  return { start, end: start + Number(meta.total_compressed_size) };
}

/**
 * Walks the pages of one column chunk (`bytes` = the chunk, starting at file offset `start`) before hyparquet decodes
 * it, so that no page can make the decode loop, allocate by a corrupt count, or yield other values than the file
 * holds: every header parses, with the thrift types the format gives its fields, and its sizes stay inside the chunk; a page decompresses to exactly the size its header
 * gives; a dictionary page comes first and only once; each data page's levels and values fit it (see page-body.ts);
 * and the chunk's pages hold the values its metadata counts and the rows of its row group, starting at a row. What
 * the decode can use goes to `found` (when given).
 */
export function findPageFault(bytes: Uint8Array, start: number, meta: ColumnMetaData, facts: ChunkFacts, rows: number, found?: ChunkCheck): PageFault | null {
  const keep = found?.pages;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = { view, offset: 0 };
  let entries = 0;
  let rowsSeen = 0;
  let dictionary: number | undefined;
  let dataPages = 0;
  for (let page = 0; reader.offset < bytes.length; page++) {
    const offset = start + reader.offset;
    const fault = (message: string): PageFault => ({ page, offset, message });
    let header: PageHeader;
    try {
      header = parquetHeader(reader);
    } catch (cause) {
      return fault(`the page header does not parse (${messageOf(cause)})`);
    }
    const typeFault = pageHeaderTypeFault(bytes, offset - start);
    if (typeFault !== null) return fault(`the page header does not follow the format: ${typeFault}`);
    const size = header.compressed_page_size;
    const left = bytes.length - reader.offset;
    if (!Number.isSafeInteger(size) || size < 0 || !Number.isSafeInteger(header.uncompressed_page_size) || header.uncompressed_page_size < 0) {
      return fault(`the page header gives impossible sizes (compressed ${size}, uncompressed ${header.uncompressed_page_size})`);
    }
    if (size > left) return fault(`its compressed size ${size} runs past the end of the column chunk (${left} bytes left after the header)`);
    const body = bytes.subarray(reader.offset, reader.offset + size);
    reader.offset += size;
    let counts: PageCounts | string;
    if (header.type === "DICTIONARY_PAGE") {
      if (dataPages > 0 || dictionary !== undefined) return fault("a dictionary page after the chunk's first page");
      const page = decompressed(meta.codec, body, header.uncompressed_page_size, keep);
      if (typeof page === "string") return fault(page);
      const size = checkDictionaryPage(page, header, facts);
      if (typeof size === "string") return fault(size);
      dictionary = size;
      continue;
    } else if (header.type === "DATA_PAGE") {
      const page = decompressed(meta.codec, body, header.uncompressed_page_size, keep);
      if (typeof page === "string") return fault(page);
      counts = checkDataPageV1(page, header, facts, dictionary);
    } else if (header.type === "DATA_PAGE_V2") {
      const v2 = header.data_page_header_v2;
      if (!v2) return fault("a DATA_PAGE_V2 without its data page header");
      const levels = v2.repetition_levels_byte_length + v2.definition_levels_byte_length;
      if (!Number.isSafeInteger(levels) || v2.repetition_levels_byte_length < 0 || v2.definition_levels_byte_length < 0 || levels > size || levels > header.uncompressed_page_size) {
        return fault(`its level bytes (${v2.repetition_levels_byte_length} + ${v2.definition_levels_byte_length}) exceed the page (${size} bytes compressed, ${header.uncompressed_page_size} uncompressed)`);
      }
      const valuesSize = header.uncompressed_page_size - levels;
      let values: Uint8Array | string = body.subarray(levels);
      if (v2.is_compressed === false) {
        if (size !== header.uncompressed_page_size) return fault(`it is stored uncompressed in ${size} bytes, but its header says ${header.uncompressed_page_size}`);
      } else if (valuesSize > 0) {
        values = decompressed(meta.codec, values, valuesSize, keep);
        if (typeof values === "string") return fault(values);
      }
      // With no value bytes, hyparquet reads what follows the levels as it is (parquetjs-lite writes an empty
      // snappy stream there), and so does this check.
      counts = checkDataPageV2(body.subarray(0, levels), values, header, facts, dictionary);
    } else {
      return fault(`a page of type ${header.type ?? "unknown"}, which a column chunk of data pages does not hold`);
    }
    if (typeof counts === "string") return fault(counts);
    if (dataPages === 0 && counts.entries > 0 && counts.firstRepetition !== 0) return fault(`the column chunk starts inside a row (repetition level ${counts.firstRepetition})`);
    if (counts.entries > 0) dataPages++;
    if (counts.rowCountDiffers && found) found.rowCountDiffers = true;
    entries += counts.entries;
    rowsSeen += counts.rows;
    if (entries > Number(meta.num_values)) return fault(`the pages so far hold ${entries} values, more than the column chunk's metadata counts (${meta.num_values})`);
  }
  const end = { page: -1, offset: start + bytes.length };
  if (entries !== Number(meta.num_values)) return { ...end, message: `the column chunk's pages hold ${entries} values, but its metadata counts ${meta.num_values}` };
  if (rowsSeen !== rows) return { ...end, message: `the column chunk's pages hold ${rowsSeen} rows, but its row group has ${rows}` };
  return null;
}

/** A page's bytes decompressed to exactly `size` (as they are when UNCOMPRESSED), or why they do not. */
function decompressed(codec: CompressionCodec, input: Uint8Array, size: number, keep: DecompressedPage[] | undefined): Uint8Array | string {
  if (codec === "UNCOMPRESSED") {
    return input.length === size ? input : `it is stored uncompressed in ${input.length} bytes, but its header says ${size}`;
  }
  try {
    const output = decompress(codec, input, size);
    keep?.push({ input, output });
    return output;
  } catch (cause) {
    return `it does not decompress as ${codec} to the ${size} bytes its header gives (${messageOf(cause)})`;
  }
}

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));
