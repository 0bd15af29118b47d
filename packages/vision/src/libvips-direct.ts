import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isMainThread } from "node:worker_threads";
import "sharp"; // loads (and initializes) the libvips this module calls into; it must be that one, never a second copy
import { jpegDimensions } from "./jpeg-frame.js";
import type { Kernel } from "./spec.js";

/**
 * JPEG decode + resize through the C API of the libvips that sharp itself loaded, called with koffi (FFI), for
 * TransformSpec's `shrinkOnLoad`: sharp never decodes at a reduced DCT scale when the reduction is under 3× (its
 * pipeline halves the shrink factor then), and has no option to ask for it.
 *
 * The library is found in /proc/self/maps, where sharp's binding mapped it: calling a second copy of libvips (a
 * second GLib type system) would be unsafe, so where that cannot be established (no /proc: macOS, Windows) this
 * path is unavailable. At sharp's own load scale it computes sharp's pixels byte for byte (tested), so the only
 * difference `shrinkOnLoad` makes is the scale.
 */
export interface LibvipsDirect {
  /** The shared object in use. */
  readonly path: string;
  /**
   * Decodes a JPEG and resizes it like `sharp(bytes).resize(width, height, {fit, kernel})` (byte for byte when
   * `plan.shrinkOnLoad` is false). Returns null when the image is not one this path handles identically (not 3-band 8-bit sRGB,
   * an ICC profile to apply, above sharp's pixel limit) or when libvips reports any error: the caller then runs
   * sharp, which gives the same pixels or the error message users know.
   */
  resizeJpeg(bytes: Uint8Array, plan: DirectPlan): Promise<Uint8Array | null>;
}

export interface DirectPlan {
  width: number;
  height: number;
  fit: "fill" | "cover";
  kernel: Kernel;
  /** true: let libjpeg decode at the smallest DCT scale (1/2, 1/4, 1/8) that still covers the output size. */
  shrinkOnLoad: boolean;
  failOn: "truncated" | "error";
}

const FAIL_ON_CODES = { truncated: 1, error: 2 } as const;
const ACCESS_SEQUENTIAL = 1;
const INTERPRETATION_SRGB = 22;
const FORMAT_UCHAR = 0;
/** sharp's default `limitInputPixels` (0x3FFF × 0x3FFF). */
const PIXEL_LIMIT = 0x3fff * 0x3fff;

/** The libvips-cpp shared object mapped into this process, or null. */
export function mappedLibvips(maps: () => string = () => readFileSync("/proc/self/maps", "utf8")): string | null {
  let text: string;
  try {
    text = maps();
  } catch {
    return null;
  }
  for (const line of text.split("\n")) {
    const path = line.slice(line.indexOf("/"));
    if (line.includes("/") && /\/libvips-cpp\.so[.\d]*$/.test(path)) return path;
  }
  return null;
}

/**
 * The part of koffi this module uses, written out so that the package's declarations do not name koffi (an
 * optional dependency a user's type check may not have).
 */
export interface KoffiLike {
  load(path: string): { func(definition: string): KoffiFunction };
  view(pointer: unknown, length: number): ArrayBuffer;
}
interface KoffiFunction {
  (...args: unknown[]): unknown;
  async(...args: unknown[]): void;
}

/** Loads koffi and binds the libvips functions this module needs; throws (with the reason) when it cannot. */
export function bindLibvips(koffi: KoffiLike, path: string): LibvipsDirect {
  const lib = koffi.load(path);
  const jpegload = lib.func("int vips_jpegload_buffer(const uint8_t *buf, size_t len, _Out_ void **out, ...)");
  const extract = lib.func("int vips_extract_area(void *in, _Out_ void **out, int left, int top, int width, int height, ...)");
  const writeToMemory = lib.func("void *vips_image_write_to_memory(void *in, _Out_ size_t *size)");
  const width = lib.func("int vips_image_get_width(void *im)");
  const height = lib.func("int vips_image_get_height(void *im)");
  const bands = lib.func("int vips_image_get_bands(void *im)");
  const format = lib.func("int vips_image_get_format(void *im)");
  const interpretation = lib.func("int vips_image_get_interpretation(void *im)");
  const typeOf = lib.func("size_t vips_image_get_typeof(void *im, const char *name)");
  const unref = lib.func("void g_object_unref(void *obj)");
  const free = lib.func("void g_free(void *p)");
  const errorClear = lib.func("void vips_error_clear()");
  // koffi cannot call a variadic function on libuv's pool, so the one costly step, planning the resize, goes
  // through libvips's generic operation API, whose functions are not variadic. It is built without libvips's
  // operation cache: every image here is a new one, so the cache never hits, and hashing each operation into it
  // (and trimming it) doubled the planning cost (0.83 against 0.41 ms per image, measured).
  const operationNew = lib.func("void *vips_operation_new(const char *name)");
  const setFromString = lib.func("int vips_object_set_from_string(void *object, const char *options)");
  const buildOperation = lib.func("int vips_object_build(void *object)");
  const unrefOutputs = lib.func("void vips_object_unref_outputs(void *object)");
  const imageType = lib.func("size_t vips_image_get_type()")() as number;
  const gvalueAlloc = lib.func("void *g_malloc0(size_t size)");
  const gvalueInit = lib.func("void *g_value_init(void *value, size_t type)");
  const gvalueSetObject = lib.func("void g_value_set_object(void *value, void *object)");
  const gvalueGetObject = lib.func("void *g_value_get_object(void *value)");
  const gvalueUnset = lib.func("void g_value_unset(void *value)");
  const setProperty = lib.func("void g_object_set_property(void *object, const char *name, void *value)");
  const getProperty = lib.func("void g_object_get_property(void *object, const char *name, void *value)");
  const ref = lib.func("void *g_object_ref(void *object)");
  const GVALUE_BYTES = 24; // sizeof(GValue) on every 64-bit ABI glib supports

  /** vips_resize through the operation API: "image" in, image out (a new reference), or null on failure. */
  async function resizeOperation(call: Call, image: unknown, options: string): Promise<unknown> {
    const value = gvalueAlloc(GVALUE_BYTES);
    const operation = operationNew("resize");
    try {
      gvalueInit(value, imageType);
      gvalueSetObject(value, image);
      setProperty(operation, "in", value);
      gvalueUnset(value);
      if (setFromString(operation, options) !== 0) return null;
      if ((await call(buildOperation, operation)) !== 0) return null;
      gvalueInit(value, imageType);
      getProperty(operation, "out", value);
      const out = ref(gvalueGetObject(value));
      gvalueUnset(value);
      unrefOutputs(operation);
      return out;
    } finally {
      unref(operation);
      free(value);
    }
  }

  // One C call, synchronously or on libuv's pool; "void *" results come back as opaque pointers.
  type Call = (fn: KoffiFunction, ...args: unknown[]) => Promise<unknown>;
  const inPlace: Call = (fn, ...args) => Promise.resolve(fn(...args));
  const onPool: Call = (fn, ...args) =>
    new Promise((resolve, reject) => fn.async(...args, (error: unknown, result: unknown) => (error ? reject(error) : resolve(result))));

  // Each step owns the image it made; the caller releases them all whatever happens. On the main thread the two
  // costly steps, planning the resize (0.4–0.7 ms per image, measured) and the decode, go to libuv's pool, as
  // sharp's calls do; loading the header and cropping stay in place. A worker thread plans the resize in place too;
  // the decode goes to the pool from either (see below).
  async function pipeline(call: Call, bytes: Uint8Array, plan: DirectPlan, owned: unknown[]): Promise<Uint8Array | null> {
    const shrink = loadShrink(bytes, plan);
    if (shrink === null) return null;
    const loaded: unknown[] = [null];
    const options = ["str", "shrink", "int", shrink, "str", "access", "int", ACCESS_SEQUENTIAL, "str", "fail_on", "int", FAIL_ON_CODES[plan.failOn], "str", "revalidate", "int", 1];
    if ((await inPlace(jpegload, bytes, bytes.length, loaded, ...options, "void *", null)) !== 0) return null;
    let image = loaded[0];
    owned.push(image);
    const w = width(image) as number;
    const h = height(image) as number;
    if (bands(image) !== 3 || format(image) !== FORMAT_UCHAR || interpretation(image) !== INTERPRETATION_SRGB) return null;
    if (typeOf(image, "icc-profile-data") !== 0 || w * h * shrink * shrink > PIXEL_LIMIT) return null;
    // sharp's arithmetic (ResolveShrink), so that the scale factors, and the pixels, are the same doubles.
    let hshrink = w / plan.width;
    let vshrink = h / plan.height;
    if (plan.fit === "cover") hshrink = vshrink = Math.min(hshrink, vshrink);
    hshrink = Math.min(hshrink, w);
    vshrink = Math.min(vshrink, h);
    if (hshrink !== 1 || vshrink !== 1) {
      // Number → string → g_ascii_strtod gives back the same double.
      const resized = await resizeOperation(call, image, `scale=${1 / hshrink},vscale=${1 / vshrink},kernel=${plan.kernel}`);
      if (resized === null) return null;
      image = resized;
      owned.push(image);
    }
    const rw = width(image) as number;
    const rh = height(image) as number;
    if (rw !== plan.width || rh !== plan.height) {
      if (plan.fit !== "cover" || rw < plan.width || rh < plan.height) return null;
      // sharp's centre gravity.
      const left = Math.trunc((rw - plan.width + 1) / 2);
      const top = Math.trunc((rh - plan.height + 1) / 2);
      const out: unknown[] = [null];
      if (extract(image, out, left, top, plan.width, plan.height, "void *", null) !== 0) return null;
      image = out[0];
      owned.push(image);
    }
    // The decode and resize happen here, on libuv's pool from any thread. A worker thread once computed them in
    // place, as a region (vips_region_fetch), which saved the hand-offs between threads (about 5% of the collator
    // pool's rate with shrinkOnLoad), but libvips then allocated its buffers in that thread's malloc arena, among
    // V8's: the pool's RSS kept growing, linearly through a 20k epoch (365 → 635 MiB, 2 workers), against a
    // flat 430–450 MiB this way (vision README).
    const size = [0];
    const pointer = await onPool(writeToMemory, image, size);
    if (pointer === null || size[0] !== plan.width * plan.height * 3) {
      if (pointer !== null) free(pointer);
      return null;
    }
    const pixels = new Uint8Array(size[0] as number);
    pixels.set(new Uint8Array(koffi.view(pointer, pixels.length)));
    free(pointer);
    return pixels;
  }

  return {
    path,
    async resizeJpeg(bytes, plan) {
      const owned: unknown[] = [];
      try {
        const pixels = await pipeline(isMainThread ? onPool : inPlace, bytes, plan, owned);
        if (pixels === null) errorClear();
        return pixels;
      } finally {
        for (const image of owned) unref(image);
      }
    },
  };
}

/**
 * The libjpeg scale (1, 2, 4 or 8) to decode at, or null when the JPEG's frame size cannot be read.
 * - shrinkOnLoad false: sharp's own choice (src/pipeline.cc), so the pixels are sharp's: the largest scale not
 *   above the smaller of the two reductions, halved when that reduction truncates to the scale itself (its guard
 *   against libjpeg's rounding), which rules out 1/2 for any reduction under 3×;
 * - true: the largest scale whose decoded size still covers the output on both axes, as PIL's `draft` picks.
 */
export function loadShrink(bytes: Uint8Array, plan: Pick<DirectPlan, "width" | "height" | "shrinkOnLoad">, dims = jpegDimensions(bytes)): number | null {
  if (dims === null || dims.width === 0 || dims.height === 0) return null;
  let shrink = 1;
  if (plan.shrinkOnLoad) {
    for (const s of [2, 4, 8]) if (Math.ceil(dims.width / s) >= plan.width && Math.ceil(dims.height / s) >= plan.height) shrink = s;
    return shrink;
  }
  const reduction = Math.min(dims.width / plan.width, dims.height / plan.height);
  for (const s of [2, 4, 8]) if (reduction >= s) shrink = s;
  if (shrink > 1 && Math.trunc(reduction) === shrink) shrink /= 2;
  return shrink;
}

export const requireFromHere = createRequire(import.meta.url);
