import type { AsyncBuffer, Compressors } from "hyparquet";
import { DECOMPRESSORS } from "./codecs.js";
import type { ChunkCheck } from "./page-check.js";
import { readExactly } from "./source-bytes.js";
import type { ParquetByteSource } from "./source-bytes.js";

/**
 * The column chunks of one decode, read and checked before hyparquet sees them. hyparquet then reads these very
 * bytes (not a second read of the file, which could differ from the checked one) and gets the pages the check
 * decompressed instead of decompressing them again.
 */
export class CheckedChunks {
  private readonly chunks: { start: number; bytes: Uint8Array }[] = [];
  private readonly pages = new Map<string, ChunkCheck["pages"]>();
  /** Some chunk's v2 page gives a row count its levels do not (see ChunkCheck). */
  rowCountDiffers = false;

  /** A checked chunk: its bytes (from file offset `start`) and what its check found. */
  add(start: number, bytes: Uint8Array, found: ChunkCheck): void {
    this.chunks.push({ start, bytes });
    if (found.rowCountDiffers) this.rowCountDiffers = true;
    for (const page of found.pages) {
      const key = keyOf(page.input, page.output.length);
      const list = this.pages.get(key);
      if (list) list.push(page);
      else this.pages.set(key, [page]);
    }
  }

  /** hyparquet's view of the file: ranges that overlap the checked chunks come from them, the rest from `source`. */
  asyncBuffer(source: ParquetByteSource, name: string): AsyncBuffer {
    return {
      byteLength: source.size,
      slice: async (start: number, end = source.size): Promise<ArrayBuffer> => {
        const out = new Uint8Array(end - start);
        let at = start;
        for (const chunk of [...this.chunks].sort((a, b) => a.start - b.start)) {
          const chunkEnd = chunk.start + chunk.bytes.length;
          if (chunkEnd <= at || chunk.start >= end) continue;
          if (chunk.start > at) out.set(await readExactly(source, name, at, chunk.start - at), at - start);
          const from = Math.max(at, chunk.start);
          const to = Math.min(end, chunkEnd);
          out.set(chunk.bytes.subarray(from - chunk.start, to - chunk.start), from - start);
          at = to;
        }
        if (at < end) out.set(await readExactly(source, name, at, end - at), at - start);
        return out.buffer;
      },
    };
  }

  /** Decompressors that hand back a page the check already decompressed (the same bytes to the same size). */
  compressors(): Compressors {
    const out: Compressors = {};
    for (const [codec, decompress] of Object.entries(DECOMPRESSORS) as [keyof Compressors, NonNullable<Compressors[keyof Compressors]>][]) {
      out[codec] = (input, outputLength) => this.take(input, outputLength) ?? decompress(input, outputLength);
    }
    return out;
  }

  private take(input: Uint8Array, outputLength: number): Uint8Array | undefined {
    const key = keyOf(input, outputLength);
    const list = this.pages.get(key);
    const index = list?.findIndex((page) => sameBytes(page.input, input)) ?? -1;
    if (!list || index < 0) return undefined;
    const [page] = list.splice(index, 1);
    if (list.length === 0) this.pages.delete(key);
    return page?.output;
  }
}

/** A cheap key for a compressed page: sizes and a few bytes from each end (a match is then compared in full). */
function keyOf(input: Uint8Array, outputLength: number): string {
  let hash = 0x811c9dc5;
  const mix = (i: number) => (hash = Math.imul(hash ^ (input[i] as number), 0x01000193));
  for (let i = 0; i < Math.min(32, input.length); i++) mix(i);
  for (let i = Math.max(32, input.length - 32); i < input.length; i++) mix(i);
  return `${input.length}:${outputLength}:${hash >>> 0}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
