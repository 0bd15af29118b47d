import type { ColumnMetaData, PageHeader } from "hyparquet";
import { parquetHeader } from "hyparquet/src/column.js";
import { decompress } from "./codecs.js";

/** The first page of a column chunk whose framing is wrong, and what is wrong with it. */
export interface PageFault {
  /** 0-based page number within the chunk (a dictionary page, when present, is page 0). */
  page: number;
  /** Byte offset of the page header in the file. */
  offset: number;
  message: string;
}

/** Where a column chunk's pages lie in the file: from its dictionary page (if any) over `total_compressed_size`. */
export function chunkRange(meta: ColumnMetaData): { start: number; end: number } {
  const dictionary = meta.dictionary_page_offset;
  const start = Number(dictionary !== undefined && dictionary > 0n && dictionary < meta.data_page_offset ? dictionary : meta.data_page_offset);
  return { start, end: start + Number(meta.total_compressed_size) };
}

/**
 * Walks the pages of one column chunk (`bytes` = the chunk, starting at file offset `start`) and checks each frame:
 * the header parses, the compressed size stays inside the chunk, the page decompresses to exactly the size its
 * header gives, and the data pages hold as many values as the chunk's metadata counts. The reader runs this only
 * after a decode failed, to name the page; it does not decode values.
 */
export function findPageFault(bytes: Uint8Array, start: number, meta: ColumnMetaData): PageFault | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = { view, offset: 0 };
  let values = 0;
  for (let page = 0; reader.offset < bytes.length; page++) {
    const offset = start + reader.offset;
    const fault = (message: string): PageFault => ({ page, offset, message });
    let header: PageHeader;
    try {
      header = parquetHeader(reader);
    } catch (cause) {
      return fault(`the page header does not parse (${messageOf(cause)})`);
    }
    const size = header.compressed_page_size;
    const left = bytes.length - reader.offset;
    if (!Number.isInteger(size) || size < 0 || !Number.isInteger(header.uncompressed_page_size) || header.uncompressed_page_size < 0) {
      return fault(`the page header gives impossible sizes (compressed ${size}, uncompressed ${header.uncompressed_page_size})`);
    }
    if (size > left) return fault(`its compressed size ${size} runs past the end of the column chunk (${left} bytes left after the header)`);
    const body = bytes.subarray(reader.offset, reader.offset + size);
    reader.offset += size;
    const problem = checkBody(header, body, meta);
    if (problem !== null) return fault(problem);
    values += header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values ?? 0;
  }
  if (values !== Number(meta.num_values)) {
    return { page: -1, offset: start + bytes.length, message: `the column chunk's pages hold ${values} values, but its metadata counts ${meta.num_values}` };
  }
  return null;
}

/** A data page v2 keeps its levels uncompressed in front of the (maybe compressed) values; v1 compresses it all. */
function checkBody(header: PageHeader, body: Uint8Array, meta: ColumnMetaData): string | null {
  let input = body;
  let outputLength = header.uncompressed_page_size;
  const v2 = header.data_page_header_v2;
  if (v2) {
    const levels = v2.repetition_levels_byte_length + v2.definition_levels_byte_length;
    if (levels > body.length || levels > outputLength) return `its level bytes (${levels}) exceed the page (${body.length} bytes compressed, ${outputLength} uncompressed)`;
    if (v2.is_compressed === false) return body.length === outputLength ? null : `it is stored uncompressed in ${body.length} bytes, but its header says ${outputLength}`;
    input = body.subarray(levels);
    outputLength -= levels;
  } else if (meta.codec === "UNCOMPRESSED" && body.length !== outputLength) {
    return `it is stored uncompressed in ${body.length} bytes, but its header says ${outputLength}`;
  }
  try {
    decompress(meta.codec, input, outputLength);
  } catch (cause) {
    return `it does not decompress as ${meta.codec} (${messageOf(cause)})`;
  }
  return null;
}

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));
