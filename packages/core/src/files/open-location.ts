import { readFile, stat } from "node:fs/promises";
import { MissingError } from "../errors.js";
import { remoteClient } from "../remote/remote-client.js";
import type { ByteSource } from "./byte-source.js";
import { isRemote } from "./location.js";
import { RandomAccessFile } from "./random-access-file.js";

/**
 * Reading by location: a local path through `fs`, a URL through the remote client (`remoteClient()`: ranged
 * reads, retries, on-disk cache). Local failures are Node's own errors (ENOENT, …) as before; a remote file the
 * server does not have is a MissingError with code REMOTE_NOT_FOUND. `isNotFound` tells both apart from other
 * failures, for readers that turn a missing file into their own MissingError.
 */
export function openByteSource(location: string): Promise<ByteSource> {
  return isRemote(location) ? remoteClient().open(location) : RandomAccessFile.open(location);
}

/** The whole file (metadata, an image). */
export async function readLocation(location: string): Promise<Uint8Array> {
  if (!isRemote(location)) {
    const bytes = await readFile(location);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return remoteClient().readAll(location);
}

/** The whole file as UTF-8 text (JSON metadata). */
export async function readLocationText(location: string): Promise<string> {
  return Buffer.from(await readLocation(location)).toString("utf8");
}

/** The file's size in bytes (a HEAD for a URL). */
export async function locationSize(location: string): Promise<number> {
  return isRemote(location) ? (await remoteClient().head(location)).size : (await stat(location)).size;
}

/** Whether a file (or, locally, a folder) is there; a URL is asked with a HEAD, so a remote folder cannot be tested. */
export async function locationExists(location: string): Promise<boolean> {
  if (isRemote(location)) return remoteClient().exists(location);
  return stat(location).then(
    () => true,
    () => false,
  );
}

/** A local path with the file's bytes, for tools that take a path (ffmpeg): the path itself, or a cached copy of a URL. */
export function localCopy(location: string): Promise<string> {
  return isRemote(location) ? remoteClient().localCopy(location) : Promise.resolve(location);
}

/** A missing file: Node's ENOENT/ENOTDIR, or a remote 404/410. */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "ENOENT" || code === "ENOTDIR" || (error instanceof MissingError && code === "REMOTE_NOT_FOUND");
}
