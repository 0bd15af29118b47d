/**
 * Buffers made to become a batch's image bytes. A reader that knows a batch's image sizes up front (files it is
 * about to read) allocates one with `allocBatchBytes`, reads the images into consecutive slices of it, and hands
 * the slices to `rowsToBatch`, which then adopts the buffer as the Arrow values buffer instead of copying every
 * image into a new one: one allocation and no memcpy per batch instead of two of each. Only buffers from here are
 * adopted (a WeakSet remembers them), so views into any other buffer, which its owner may reuse, are still copied.
 * The caller gives the buffer up: it must not write to it once the batch is built.
 */
const adoptable = new WeakSet<ArrayBufferLike>();

/** `size` uninitialized bytes in an ArrayBuffer of their own, which `rowsToBatch` may adopt (see above). */
export function allocBatchBytes(size: number): Uint8Array {
  const buffer = Buffer.allocUnsafeSlow(size).buffer; // its own ArrayBuffer, exactly `size` bytes, not pooled
  adoptable.add(buffer);
  return new Uint8Array(buffer, 0, size);
}

/** The whole allocBatchBytes buffer when `views` tile it exactly, in order; null otherwise (the caller copies). */
export function adoptBatchBytes(views: readonly Uint8Array[]): Uint8Array | null {
  const first = views[0];
  if (first === undefined || first.byteOffset !== 0 || !adoptable.has(first.buffer)) return null;
  let end = 0;
  for (const view of views) {
    if (view.buffer !== first.buffer || view.byteOffset !== end) return null;
    end += view.byteLength;
  }
  return end === first.buffer.byteLength ? new Uint8Array(first.buffer, 0, end) : null;
}
