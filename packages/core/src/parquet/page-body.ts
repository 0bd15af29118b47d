import type { Encoding, PageHeader, ParquetType } from "hyparquet";
import { walkHybrid } from "./rle-hybrid.js";

/** What the page checks need to know about one column chunk, from the footer and the schema. */
export interface ChunkFacts {
  type: ParquetType;
  /** FIXED_LEN_BYTE_ARRAY width (undefined for other types). */
  typeLength: number | undefined;
  maxDefinition: number;
  maxRepetition: number;
}

/** The counts one data page holds: level entries, rows begun (a repetition level of 0), values present. */
export interface PageCounts {
  entries: number;
  rows: number;
  values: number;
  /** The first repetition level (0 for columns without repetition): a chunk must not start inside a row. */
  firstRepetition: number;
  /** A v2 header's row count that is not the rows its levels begin. */
  rowCountDiffers?: boolean;
}

const bitWidth = (max: number): number => 32 - Math.clz32(max);
const u32 = (bytes: Uint8Array, at: number): number => ((bytes[at] as number) | ((bytes[at + 1] as number) << 8) | ((bytes[at + 2] as number) << 16)) + (bytes[at + 3] as number) * 2 ** 24;

/**
 * Checks the levels and values of a data page v1 (`page`: the whole page, decompressed; levels carry a 4-byte length
 * in front) so that hyparquet's decode of it stays inside it, writes no more values than the header counts, and
 * reads no level above its maximum or dictionary index past the dictionary. A string says what is wrong.
 */
export function checkDataPageV1(page: Uint8Array, header: PageHeader, facts: ChunkFacts, dictionary: number | undefined): PageCounts | string {
  const daph = header.data_page_header;
  if (!daph) return "a DATA_PAGE without its data page header";
  const entries = daph.num_values;
  if (!Number.isSafeInteger(entries) || entries < 0) return `its value count ${entries} is not a count`;
  let at = 0;
  let rows = entries;
  let values = entries;
  let firstRepetition = 0;
  const levels = (name: string, encoding: Encoding, max: number, match: number) => {
    if (encoding !== "RLE") return `its ${name} levels are ${encoding ?? "in an unknown encoding"}, not RLE (BIT_PACKED levels are not read)`;
    if (at + 4 > page.length) return `its ${name} levels' length runs past the page`;
    const length = u32(page, at);
    at += 4;
    if (at + length > page.length) return `its ${name} levels' length ${length} runs past the page (${page.length - at} bytes left)`;
    const stream = walkHybrid(page, at, at + length, bitWidth(max), entries, match);
    if (typeof stream === "string") return `its ${name} levels: ${stream}`;
    if (stream.max > max) return `a ${name} level of ${stream.max} exceeds the column's maximum ${max}`;
    at += length;
    return stream;
  };
  if (facts.maxRepetition > 0) {
    const stream = levels("repetition", daph.repetition_level_encoding, facts.maxRepetition, 0);
    if (typeof stream === "string") return stream;
    rows = stream.matches;
    firstRepetition = stream.first;
  }
  if (facts.maxDefinition > 0) {
    const stream = levels("definition", daph.definition_level_encoding, facts.maxDefinition, facts.maxDefinition);
    if (typeof stream === "string") return stream;
    values = stream.matches;
  }
  const problem = checkValues(page, at, page.length, daph.encoding, values, facts, dictionary, true);
  return problem ?? { entries, rows, values, firstRepetition };
}

/**
 * Checks a data page v2: its levels (uncompressed, `levelBytes`, no length prefix) and its values (`values`,
 * decompressed), and that the header's row and null counts are the ones its levels give.
 */
export function checkDataPageV2(levelBytes: Uint8Array, body: Uint8Array, header: PageHeader, facts: ChunkFacts, dictionary: number | undefined): PageCounts | string {
  const v2 = header.data_page_header_v2;
  if (!v2) return "a DATA_PAGE_V2 without its data page header";
  const entries = v2.num_values;
  if (!Number.isSafeInteger(entries) || entries < 0) return `its value count ${entries} is not a count`;
  const repetitionLength = v2.repetition_levels_byte_length;
  // hyparquet looks for the values after the definition levels only when the column has them.
  if (facts.maxDefinition === 0 && v2.definition_levels_byte_length !== 0) return `it gives ${v2.definition_levels_byte_length} bytes of definition levels to a column that has none`;
  let rows = entries;
  let values = entries;
  let firstRepetition = 0;
  if (facts.maxRepetition > 0) {
    const stream = walkHybrid(levelBytes, 0, repetitionLength, bitWidth(facts.maxRepetition), entries, 0);
    if (typeof stream === "string") return `its repetition levels: ${stream}`;
    if (stream.max > facts.maxRepetition) return `a repetition level of ${stream.max} exceeds the column's maximum ${facts.maxRepetition}`;
    rows = stream.matches;
    firstRepetition = stream.first;
  }
  if (facts.maxDefinition > 0) {
    const stream = walkHybrid(levelBytes, repetitionLength, levelBytes.length, bitWidth(facts.maxDefinition), entries, facts.maxDefinition);
    if (typeof stream === "string") return `its definition levels: ${stream}`;
    if (stream.max > facts.maxDefinition) return `a definition level of ${stream.max} exceeds the column's maximum ${facts.maxDefinition}`;
    values = stream.matches;
  }
  // parquetjs-lite (the project's writer) gives a repeated column's value count as its row count, so a row count
  // that disagrees is not refused; the caller then does not let hyparquet skip pages by it (`rowCountDiffers`).
  if (facts.maxRepetition === 0 && v2.num_rows !== rows) return `its header counts ${v2.num_rows} rows, but it holds ${rows} values of a column without repetition`;
  if (v2.num_nulls !== entries - values) return `its header counts ${v2.num_nulls} nulls, but its levels give ${entries - values}`;
  const problem = checkValues(body, 0, body.length, v2.encoding, values, facts, dictionary, false);
  return problem ?? { entries, rows, values, firstRepetition, rowCountDiffers: v2.num_rows !== rows };
}

/** Checks a dictionary page's values (PLAIN, `count` of them); the count is then the dictionary's size. */
export function checkDictionaryPage(page: Uint8Array, header: PageHeader, facts: ChunkFacts): number | string {
  const diph = header.dictionary_page_header;
  if (!diph) return "a DICTIONARY_PAGE without its dictionary page header";
  if (diph.encoding !== "PLAIN" && diph.encoding !== "PLAIN_DICTIONARY") return `its dictionary is ${diph.encoding ?? "in an unknown encoding"}, not PLAIN`;
  const count = diph.num_values;
  if (!Number.isSafeInteger(count) || count < 0) return `its value count ${count} is not a count`;
  return checkValues(page, 0, page.length, "PLAIN", count, facts, undefined, true) ?? count;
}

/**
 * Checks the values section `bytes[at, end)` of a page holding `count` values in `encoding`: fixed-width values fit,
 * BYTE_ARRAY lengths stay inside, dictionary indices are below the dictionary's size, DELTA headers are well formed
 * (hyparquet sizes a buffer by the miniblock count). `v1`: hyparquet reads no dictionary indices for a v1 page of
 * bit width 0 or no values, but walks them in a v2 page.
 */
function checkValues(bytes: Uint8Array, at: number, end: number, encoding: Encoding, count: number, facts: ChunkFacts, dictionary: number | undefined, v1: boolean): string | null {
  const left = end - at;
  const width = fixedWidth(facts);
  switch (encoding) {
    case "PLAIN": {
      if (facts.type === "BOOLEAN") return Math.ceil(count / 8) > left ? `its ${count} PLAIN booleans need ${Math.ceil(count / 8)} bytes, but ${left} are left` : null;
      if (facts.type !== "BYTE_ARRAY") return count * (width as number) > left ? `its ${count} PLAIN values need ${count * (width as number)} bytes, but ${left} are left` : null;
      for (let i = 0; i < count; i++) {
        if (at + 4 > end) return `value ${i} of ${count}: its length runs past the page`;
        const length = u32(bytes, at);
        at += 4 + length;
        if (at > end) return `value ${i} of ${count}: its length ${length} runs past the page`;
      }
      return null;
    }
    case "RLE": {
      if (facts.type !== "BOOLEAN") return `RLE values in a ${facts.type} column (RLE holds booleans)`;
      if (count === 0) return null;
      if (at + 4 > end) return "its RLE booleans' length runs past the page";
      const length = u32(bytes, at);
      if (at + 4 + length > end) return `its RLE booleans' length ${length} runs past the page`;
      const stream = walkHybrid(bytes, at + 4, at + 4 + length, 1, count, 1);
      return typeof stream === "string" ? `its RLE booleans: ${stream}` : null;
    }
    case "PLAIN_DICTIONARY":
    case "RLE_DICTIONARY": {
      if (dictionary === undefined) return `its values are ${encoding}, but the column chunk has no dictionary page before it`;
      if (facts.type === "BOOLEAN") return "dictionary-encoded booleans";
      if (count === 0 && v1) return null;
      if (at >= end) return "its dictionary indices' bit width runs past the page";
      const indexWidth = bytes[at] as number;
      if (indexWidth === 0 && v1) return count > 0 && dictionary === 0 ? "it indexes an empty dictionary" : null;
      const stream = walkHybrid(bytes, at + 1, end, indexWidth, count, -1);
      if (typeof stream === "string") return `its dictionary indices: ${stream}`;
      return stream.max >= dictionary ? `a dictionary index ${stream.max} is past the dictionary's ${dictionary} values` : null;
    }
    case "DELTA_BINARY_PACKED":
      if (facts.type !== "INT32" && facts.type !== "INT64") return `DELTA_BINARY_PACKED values in a ${facts.type} column`;
      return checkDeltaHeader(bytes, at, end, count);
    case "DELTA_LENGTH_BYTE_ARRAY":
      if (facts.type !== "BYTE_ARRAY") return `DELTA_LENGTH_BYTE_ARRAY values in a ${facts.type} column`;
      return checkDeltaHeader(bytes, at, end, count);
    case "DELTA_BYTE_ARRAY":
      if (facts.type !== "BYTE_ARRAY" && facts.type !== "FIXED_LEN_BYTE_ARRAY") return `DELTA_BYTE_ARRAY values in a ${facts.type} column`;
      return checkDeltaHeader(bytes, at, end, count);
    case "BYTE_STREAM_SPLIT":
      if (width === undefined || facts.type === "INT96") return `BYTE_STREAM_SPLIT values in a ${facts.type} column`;
      return count * width > left ? `its ${count} BYTE_STREAM_SPLIT values need ${count * width} bytes, but ${left} are left` : null;
    default:
      return `its values are ${encoding ?? "in an unknown encoding"}, which this reader does not decode`;
  }
}

/** Bytes per value of a fixed-width type; undefined for BYTE_ARRAY and BOOLEAN. */
function fixedWidth(facts: ChunkFacts): number | undefined {
  switch (facts.type) {
    case "INT32":
    case "FLOAT":
      return 4;
    case "INT64":
    case "DOUBLE":
      return 8;
    case "INT96":
      return 12;
    case "FIXED_LEN_BYTE_ARRAY":
      return facts.typeLength;
    default:
      return undefined;
  }
}

/**
 * The header of a DELTA_BINARY_PACKED stream (also the first part of the DELTA_*_BYTE_ARRAY encodings): a block size
 * that is a positive multiple of 128, a miniblock count that divides it into multiples of 32 values, and a total
 * count equal to the page's. Per the spec; hyparquet allocates a byte per miniblock from this header, for each block.
 */
function checkDeltaHeader(bytes: Uint8Array, at: number, end: number, count: number): string | null {
  const fields: number[] = [];
  // Block size, miniblocks per block, total count, first value (zigzag, up to 10 bytes for INT64).
  for (let i = 0; i < 4; i++) {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (at >= end) return "its DELTA header runs past the page";
      const byte = bytes[at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > (i === 3 ? 63 : 28)) return "its DELTA header holds a varint too long for its field";
    }
    fields.push(value);
  }
  const [block, miniblocks, total] = fields as [number, number, number];
  if (block === 0 || block % 128 !== 0 || block >= 2 ** 31) return `its DELTA block size ${block} is not a positive multiple of 128`;
  if (miniblocks === 0 || block % miniblocks !== 0 || (block / miniblocks) % 32 !== 0) return `its DELTA block of ${block} values does not split into ${miniblocks} miniblocks of a multiple of 32`;
  // Blocks follow only when there is more than the first value; each starts with a bit width per miniblock.
  if (total > 1 && miniblocks > end - at) return `its DELTA header gives ${miniblocks} miniblocks per block, more than the page's ${end - at} bytes left`;
  if (total !== count) return `its DELTA header counts ${total} values, but the page holds ${count}`;
  return null;
}
