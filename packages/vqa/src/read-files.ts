import { close, open, read, readFile, stat } from "node:fs";
import { allocBatchBytes, isRemote, locationSize, openByteSource } from "@cotrain/core";
import type { Limit } from "@cotrain/core";

/**
 * Reads whole files (a batch's images) into consecutive slices of one `allocBatchBytes` buffer, in order, each
 * file's I/O through `limit`. The slices become the batch's Arrow image column without a copy (core's
 * `rowsToBatch` adopts the buffer), so a batch costs one allocation instead of one per file plus one for the
 * batch, and no memcpy: at 640×480 JPEGs this is what keeps the reader near its parse-and-read floor (see the
 * README's benchmark). First every file is stat'ed at once (metadata only, one batch's files, not bounded: a
 * bounded stat pass cost more than it saved; `known` sizes, from the image root guard's lstat, skip it), then each
 * is opened, read into its slice and closed under `limit`; the descriptor is closed before the task ends whatever
 * happens, so none outlives the read.
 *
 * A file that shrank between its stat and its read is read again on its own (its bytes are then copied into the
 * batch as before); one that grew is read up to its stat'ed size, which a "header" check sees as a cut-off image.
 * A failure is returned in the file's slot as Node's error (ENOENT, EISDIR, …) for the caller to name.
 *
 * A URL (an image under a remote image root) is sized by a HEAD and read whole through core's remote cache, under
 * the same limit; its failures are core's typed errors (MissingError REMOTE_NOT_FOUND, RemoteError).
 */
export async function readFilesContiguous(paths: readonly string[], limit: Limit, known: readonly (number | undefined)[] = []): Promise<(Uint8Array | NodeJS.ErrnoException)[]> {
  const sizes = await Promise.all(paths.map((path, i) => known[i] ?? sizeOf(path).catch((error: NodeJS.ErrnoException) => error)));
  let total = 0;
  for (const size of sizes) if (typeof size === "number") total += size;
  const arena = allocBatchBytes(total);
  let offset = 0;
  return Promise.all(
    paths.map((path, i) => {
      const size = sizes[i] as number | NodeJS.ErrnoException;
      if (typeof size !== "number") return size;
      const slice = arena.subarray(offset, offset + size);
      offset += size;
      return limit(() => readInto(path, slice)).catch((error: NodeJS.ErrnoException) => error);
    }),
  );
}

function sizeOf(path: string): Promise<number> {
  if (isRemote(path)) return locationSize(path);
  return new Promise((resolve, reject) => stat(path, (error, stats) => (error ? reject(error) : resolve(stats.size))));
}

/** Fills `slice` with the file's first bytes; when the file is now shorter, reads it whole on its own instead. */
function readInto(path: string, slice: Uint8Array): Promise<Uint8Array> {
  if (isRemote(path)) return readRemoteInto(path, slice);
  return new Promise((resolve, reject) => {
    open(path, "r", (openError, fd) => {
      if (openError) return reject(openError);
      const finish = (error: NodeJS.ErrnoException | null, bytes?: Uint8Array): void => close(fd, () => (error ? reject(error) : resolve(bytes as Uint8Array)));
      const step = (done: number): void => {
        if (done === slice.length) return finish(null, slice);
        read(fd, slice, done, slice.length - done, done, (error, n) => {
          if (error) return finish(error);
          if (n > 0) return step(done + n);
          // The file shrank since its stat: read what it holds now, as a buffer of its own.
          close(fd, () => readFile(path, (again, data) => (again ? reject(again) : resolve(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)))));
        });
      };
      step(0);
    });
  });
}

async function readRemoteInto(url: string, slice: Uint8Array): Promise<Uint8Array> {
  const file = await openByteSource(url);
  try {
    const n = await file.read(slice, 0, slice.length, 0);
    return n === slice.length ? slice : slice.subarray(0, n);
  } finally {
    await file.close();
  }
}
