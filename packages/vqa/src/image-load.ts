import { readFile } from "node:fs";
import { ImageError, MissingError, isCotrainError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import { validateImage } from "@cotrain/vision";
import type { ImageValidation } from "@cotrain/vision";
import { resolveImagePath } from "./image-path.js";

/** An image as a reader finds it: bytes stored inline (Parquet), or a path under the image root (LLaVA). */
export interface ImageRef {
  /** The data field it came from, for errors: "image", "image[1]", "images[0]". */
  field: string;
  path?: string;
  bytes?: Uint8Array;
}

export interface ImageLoadContext {
  imageRoot: string | null;
  validate: ImageValidation;
  limit: Limiter;
}

/** Reads (if needed) and optionally fully decodes one image; every failure names the entry and the field. */
export async function loadImage(ref: ImageRef, where: ErrorLocation, ctx: ImageLoadContext): Promise<Uint8Array> {
  const at = { ...where, field: ref.field };
  return ctx.limit(async () => {
    let bytes = ref.bytes;
    const label = ref.path === undefined ? "inline image" : `image ${JSON.stringify(ref.path)}`;
    if (bytes === undefined) {
      if (ref.path === undefined) throw new MissingError("VQA_IMAGE_NO_DATA", "the image has neither bytes nor a path", at);
      if (ctx.imageRoot === null) throw new MissingError("VQA_IMAGE_NO_ROOT", `${label} is stored by path only and no imageRoot was given`, at);
      const full = resolveImagePath(ctx.imageRoot, ref.path, at);
      try {
        const buffer = await readWhole(full);
        bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code;
        const missing = code === "ENOENT" || code === "ENOTDIR";
        throw new MissingError(missing ? "VQA_IMAGE_MISSING" : "VQA_IMAGE_UNREADABLE", `${label} cannot be read from ${full} (${code ?? String(cause)})`, { ...at, cause });
      }
    }
    if (ctx.validate !== "off") {
      try {
        await validateImage(bytes, ctx.validate, {});
      } catch (cause) {
        if (!isCotrainError(cause)) throw cause;
        throw new ImageError(cause.code, `${label}: ${cause.message}`, { ...at, cause });
      }
    }
    return bytes;
  });
}

/**
 * The callback `fs.readFile`: for the small files images are, it is 2-3 times faster than the promise version
 * (which reads in several chunked round trips), and unlike `readFileSync` it does not stall the event loop on a
 * slow (network) file system.
 */
function readWhole(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => readFile(path, (error, data) => (error ? reject(error) : resolve(data))));
}

export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Runs at most `n` tasks at once (a plain semaphore); the order results are used in is the caller's. */
export function createLimiter(n: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active < n) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the finishing task hands its slot over
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
