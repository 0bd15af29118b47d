import { brotliDecompressSync, unzipSync } from "node:zlib";
import { snappyUncompress } from "hyparquet";
import type { CompressionCodec, Compressors } from "hyparquet";
import { decompressLz4, decompressLz4Raw } from "hyparquet-compressors";
import { ZSTDDecoder } from "zstddec";

/**
 * Page decompressors for every Parquet codec but LZO (which no current writer produces). Each takes the compressed
 * page and the size its header announces and returns exactly that many bytes, or throws: a decoder that returns
 * fewer or more bytes is reported, never passed on. Why these libraries: see the core README ("Parquet codecs").
 */
type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

const zstd = new ZSTDDecoder();
let zstdReady: Promise<void> | null = null;

function exactly(codec: string, decompress: Decompress): Decompress {
  return (input, outputLength) => {
    const output = decompress(input, outputLength);
    if (output.length !== outputLength) throw new Error(`${codec} data decompressed to ${output.length} bytes, but the page header says ${outputLength}`);
    return output;
  };
}

// zlib stops at `maxOutputLength`, so a corrupt header cannot make a page inflate without bound.
const zlibLimit = (outputLength: number) => ({ maxOutputLength: Math.max(outputLength, 1) });

/**
 * The decoders below allocate the size the page header gives before they decode, so that size is checked first
 * against what the compressed bytes can hold: a snappy stream states its length in front; an LZ4 sequence yields at
 * most 255 bytes per input byte (its length bytes each add 255); a ZSTD block at most 128 KiB from 4 bytes (an RLE
 * block), and a frame that states its content size must state this one.
 */
function bounded(codec: string, ratio: number, decompress: Decompress): Decompress {
  return (input, outputLength) => {
    if (outputLength > input.length * ratio + 64) throw new Error(`${input.length} bytes of ${codec} cannot hold the ${outputLength} bytes the page header gives`);
    return decompress(input, outputLength);
  };
}

/** The length a snappy stream gives in its varint preamble, or -1 when it has none. */
function snappyLength(input: Uint8Array): number {
  let length = 0;
  for (let i = 0; i < 5 && i < input.length; i++) {
    const byte = input[i] as number;
    length += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return length;
  }
  return -1;
}

/** The content size a ZSTD frame header states, or undefined when it states none (or is not a frame header). */
function zstdContentSize(input: Uint8Array): number | undefined {
  if (input.length < 6 || input[0] !== 0x28 || input[1] !== 0xb5 || input[2] !== 0x2f || input[3] !== 0xfd) return undefined;
  const descriptor = input[4] as number;
  const flag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const fieldSize = flag === 0 ? singleSegment : 1 << flag;
  if (fieldSize === 0) return undefined;
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3]!;
  if (at + fieldSize > input.length) return undefined;
  let size = 0;
  for (let i = 0; i < fieldSize; i++) size += (input[at + i] as number) * 2 ** (8 * i);
  return fieldSize === 2 ? size + 256 : size;
}

export const DECOMPRESSORS: Compressors = {
  SNAPPY: exactly("SNAPPY", (input, outputLength) => {
    const stated = snappyLength(input);
    if (stated !== outputLength) throw new Error(`the snappy stream holds ${stated} bytes, but the page header says ${outputLength}`);
    const output = new Uint8Array(outputLength);
    snappyUncompress(input, output);
    return output;
  }),
  // unzip takes a gzip (RFC 1952, what the spec says) or a zlib header, so a zlib stream under the GZIP name reads too.
  GZIP: exactly("GZIP", (input, outputLength) => unzipSync(input, zlibLimit(outputLength))),
  BROTLI: exactly("BROTLI", (input, outputLength) => brotliDecompressSync(input, zlibLimit(outputLength))),
  ZSTD: exactly(
    "ZSTD",
    bounded("ZSTD", 32768, (input, outputLength) => {
      const stated = zstdContentSize(input);
      if (stated !== undefined && stated !== outputLength) throw new Error(`the ZSTD frame holds ${stated} bytes, but the page header says ${outputLength}`);
      return zstd.decode(input, outputLength);
    }),
  ),
  LZ4: exactly("LZ4", bounded("LZ4", 255, decompressLz4)),
  LZ4_RAW: exactly("LZ4_RAW", bounded("LZ4_RAW", 255, decompressLz4Raw)),
};

/** Codecs that a file may use and this reader decodes (UNCOMPRESSED needs no decompressor). */
export function isReadableCodec(codec: CompressionCodec): boolean {
  return codec === "UNCOMPRESSED" || DECOMPRESSORS[codec] !== undefined;
}

/** Instantiates the ZSTD WebAssembly module once per process (a few ms); the other codecs need no set-up. */
export function prepareCodecs(codecs: Iterable<CompressionCodec>): Promise<void> {
  for (const codec of codecs) {
    if (codec === "ZSTD") return (zstdReady ??= zstd.init());
  }
  return Promise.resolve();
}

/** Decompresses one page's bytes (`UNCOMPRESSED` returns them as they are). */
export function decompress(codec: CompressionCodec, input: Uint8Array, outputLength: number): Uint8Array {
  if (codec === "UNCOMPRESSED") return input;
  const decompressor = DECOMPRESSORS[codec];
  if (!decompressor) throw new Error(`no decompressor for ${codec}`);
  return decompressor(input, outputLength);
}
