import { ImageError, MissingError, RemoteError, ValueError, isCotrainError, isNotFound, isRemote } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import { checkImageHeader, validateImage } from "@cotrain/vision";
import type { ImageValidation } from "@cotrain/vision";
import { resolveImagePath } from "./image-path.js";
import type { GuardedPath, ImageRootGuard } from "./image-root-guard.js";
import type { Limit } from "@cotrain/core";
import { readFilesContiguous } from "./read-files.js";
import type { FileThread } from "./file-thread/file-thread.js";

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
  /** Bounds the image work in flight: each file's open, read and close, and each full decode ("decode"). */
  limit: Limit;
  /** Refuses files whose real path leaves the image root; null when symlinks out of it are allowed. */
  guard: ImageRootGuard | null;
  /** The reader's file thread (which applies the same guard itself), or null: files are read here, asynchronously. */
  files: FileThread | null;
}

/** One sample's images, and where the sample is (for errors). */
export interface ImageRequest {
  images: readonly ImageRef[];
  where: ErrorLocation;
}

/** A sample's images in its own order, or the first error among them. */
export type LoadedImages = { ok: true; images: Uint8Array[] } | { ok: false; error: unknown };

/**
 * Loads and checks the images of a batch's samples. Inline bytes are taken as they are; images by path are read
 * together (`readFilesContiguous`: one buffer for the batch, which its Arrow column adopts without a copy), at most
 * `ctx.limit`'s worth of file operations at once. Every failure names the entry and the field; a sample's result
 * holds its first failing image in its own image order, so the same data always fails the same way.
 */
export async function loadBatchImages(requests: readonly ImageRequest[], ctx: ImageLoadContext): Promise<LoadedImages[]> {
  const paths: string[] = [];
  // Per sample: for each image its inline bytes or the index of its file in `paths`; or the sample's error.
  const plans = requests.map(({ images, where }): (Uint8Array | number)[] | { error: unknown } => {
    try {
      return images.map((ref) => ref.bytes ?? paths.push(fullPath(ref, { ...where, field: ref.field }, ctx.imageRoot)) - 1);
    } catch (error) {
      return { error };
    }
  });
  const { outside, files } = await readPaths(paths, ctx);
  return Promise.all(
    plans.map(async (plan, s): Promise<LoadedImages> => {
      if (!Array.isArray(plan)) return { ok: false, error: plan.error };
      const { images: refs, where } = requests[s] as ImageRequest;
      try {
        const images: Uint8Array[] = [];
        for (let k = 0; k < plan.length; k++) {
          const ref = refs[k] as ImageRef;
          const at = { ...where, field: ref.field };
          const entry = plan[k] as Uint8Array | number;
          if (typeof entry === "number" && outside[entry] !== null) {
            throw new ValueError("VQA_IMAGE_OUTSIDE_ROOT", `${labelOf(ref)} leads through a symlink to ${outside[entry]}, outside the image root ${JSON.stringify(ctx.imageRoot)} (pass allowSymlinksOutsideRoot to follow such links)`, at);
          }
          const bytes = typeof entry === "number" ? fileBytes(files[entry] as Uint8Array | NodeJS.ErrnoException, ref, paths[entry] as string, at) : entry;
          if (ctx.validate === "decode") await check(bytes, ref, at, ctx);
          else if (ctx.validate === "header") checkHeader(bytes, ref, at);
          images.push(bytes);
        }
        return { ok: true, images };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );
}

/**
 * Each path's bytes (or Node's error), and the real path outside the image root it leads to (else null): through
 * the file thread, or here. Either way a file that leads outside the root (a symlink pointing out) is refused
 * before it is read.
 */
async function readPaths(paths: readonly string[], ctx: ImageLoadContext): Promise<{ outside: (string | null)[]; files: (Uint8Array | NodeJS.ErrnoException | null)[] }> {
  if (ctx.files !== null && paths.length > 0 && !paths.some(isRemote)) {
    const read = await ctx.files.read(paths);
    const outside = read.map((r) => (r instanceof Uint8Array || r instanceof Error ? null : r.outside));
    return { outside, files: read.map((r) => (r instanceof Uint8Array || r instanceof Error ? r : null)) };
  }
  const guarded: GuardedPath[] = ctx.guard ? await ctx.guard.inspect(paths) : paths.map(() => ({ outside: null }));
  const outside = guarded.map((g) => g.outside);
  const readable = paths.flatMap((path, i) => (outside[i] === null ? [{ path, size: guarded[i]?.size }] : []));
  const read = await readFilesContiguous(readable.map((r) => r.path), ctx.limit, readable.map((r) => r.size));
  let next = 0;
  return { outside, files: paths.map((_, i) => (outside[i] === null ? (read[next++] as Uint8Array | NodeJS.ErrnoException) : null)) };
}

const labelOf = (ref: ImageRef): string => (ref.path === undefined ? "inline image" : `image ${JSON.stringify(ref.path)}`);

function fullPath(ref: ImageRef, at: ErrorLocation, imageRoot: string | null): string {
  if (ref.path === undefined) throw new MissingError("VQA_IMAGE_NO_DATA", "the image has neither bytes nor a path", at);
  if (imageRoot === null) throw new MissingError("VQA_IMAGE_NO_ROOT", `${labelOf(ref)} is stored by path only and no imageRoot was given`, at);
  return resolveImagePath(imageRoot, ref.path, at);
}

function fileBytes(result: Uint8Array | NodeJS.ErrnoException, ref: ImageRef, full: string, at: ErrorLocation): Uint8Array {
  if (result instanceof Uint8Array) return result;
  if (result instanceof RemoteError) throw result;
  const code = result.code;
  const missing = isNotFound(result);
  throw new MissingError(missing ? "VQA_IMAGE_MISSING" : "VQA_IMAGE_UNREADABLE", `${labelOf(ref)} cannot be read from ${full} (${code ?? String(result)})`, { ...at, cause: result });
}

/** A full decode, under a slot of the limiter. */
async function check(bytes: Uint8Array, ref: ImageRef, at: ErrorLocation, ctx: ImageLoadContext): Promise<void> {
  try {
    await ctx.limit(() => validateImage(bytes, "decode", {}));
  } catch (cause) {
    throw located(cause, ref, at);
  }
}

/** The default "header" look at the first and last bytes: synchronous, so an image costs no promise. */
function checkHeader(bytes: Uint8Array, ref: ImageRef, at: ErrorLocation): void {
  try {
    checkImageHeader(bytes, {});
  } catch (cause) {
    throw located(cause, ref, at);
  }
}

function located(cause: unknown, ref: ImageRef, at: ErrorLocation): unknown {
  if (!isCotrainError(cause)) return cause;
  return new ImageError(cause.code, `${labelOf(ref)}: ${cause.message}`, { ...at, cause });
}
