import { createHash } from "node:crypto";
import type { Hash } from "node:crypto";
import { open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { openByteSource } from "../files/open-location.js";

/** An append-only file that counts its bytes and hashes them (sha256) as they are written, with write coalescing. */
export class HashingFile {
  private readonly hash: Hash = createHash("sha256");
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  bytes = 0;

  private constructor(private readonly handle: FileHandle) {}

  static async create(path: string): Promise<HashingFile> {
    return new HashingFile(await open(path, "w"));
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Arrow's writer emits many tiny chunks; one syscall per MiB keeps writing at disk speed.
    if (this.pendingBytes >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    await this.handle.write(joined);
  }

  async close(): Promise<{ bytes: number; sha256: string }> {
    await this.flush();
    await this.handle.close();
    return { bytes: this.bytes, sha256: this.hash.digest("hex") };
  }
}

/** sha256 and size of a whole file, streamed. */
export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  const buffer = Buffer.allocUnsafe(1 << 20);
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest("hex") };
}

/** sha256 and size of a file at any location (a URL is read through the remote block cache). */
export async function hashLocation(location: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  const file = await openByteSource(location);
  const buffer = Buffer.allocUnsafe(1 << 20);
  try {
    for (let at = 0; at < file.size; ) {
      const n = await file.read(buffer, 0, Math.min(buffer.length, file.size - at), at);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      at += n;
    }
  } finally {
    await file.close();
  }
  return { bytes: file.size, sha256: hash.digest("hex") };
}
