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

export const DECOMPRESSORS: Compressors = {
  SNAPPY: exactly("SNAPPY", (input, outputLength) => {
    const output = new Uint8Array(outputLength);
    snappyUncompress(input, output);
    return output;
  }),
  // unzip takes a gzip (RFC 1952, what the spec says) or a zlib header, so a zlib stream under the GZIP name reads too.
  GZIP: exactly("GZIP", (input, outputLength) => unzipSync(input, zlibLimit(outputLength))),
  BROTLI: exactly("BROTLI", (input, outputLength) => brotliDecompressSync(input, zlibLimit(outputLength))),
  ZSTD: exactly("ZSTD", (input, outputLength) => zstd.decode(input, outputLength)),
  LZ4: exactly("LZ4", decompressLz4),
  LZ4_RAW: exactly("LZ4_RAW", decompressLz4Raw),
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
