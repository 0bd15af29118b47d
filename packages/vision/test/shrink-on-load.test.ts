import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { ConfigError, ImageError } from "@cotrain/core";
import { chooseDecoder, imageDecoder, jpegDimensions, loadShrink, mappedLibvips, transformImage } from "@cotrain/vision";
import type { Kernel } from "@cotrain/vision";
import { encode, meanAbsError, paint } from "./fixtures.js";

// Fixtures: photo-like JPEGs encoded here by sharp (smooth gradients plus seeded noise, so the DCT has real
// high-frequency content), and a grey and an ICC-tagged variant made from them.
function photo(width: number, height: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const noise = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24) - 128;
  return paint(width, height, (x, y) => [
    Math.max(0, Math.min(255, ((x * 255) / width + noise() / 4) | 0)),
    Math.max(0, Math.min(255, ((y * 255) / height + noise() / 4) | 0)),
    Math.max(0, Math.min(255, 128 + ((x ^ y) & 63) + noise() / 8)) | 0,
  ]);
}
const jpeg640 = async (seed: number): Promise<Uint8Array> => encode(photo(640, 480, seed), 640, 480, "jpeg");
const sharpResize = async (bytes: Uint8Array, width: number, height: number, fit: "cover" | "fill", kernel: Kernel): Promise<Uint8Array> =>
  new Uint8Array(await sharp(bytes).resize(width, height, { fit, kernel }).removeAlpha().toColourspace("srgb").raw().toBuffer());
const linux = process.platform === "linux";
/** The first index where two byte arrays differ (-1: equal; vitest's deep equality is slow on 150 KB arrays). */
const firstDifference = (a: Uint8Array | null, b: Uint8Array): number => {
  if (a === null) return -2;
  if (a.length !== b.length) return Math.min(a.length, b.length);
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0 ? -1 : a.findIndex((v, i) => v !== b[i]);
};

describe("choosing the JPEG decode path", () => {
  it("uses sharp when told to, and explains why the direct path is off", () => {
    expect(chooseDecoder({ setting: "sharp" })).toMatchObject({ name: "sharp", direct: null, reason: "COTRAIN_IMAGE_DECODER=sharp" });
    const noKoffi = chooseDecoder({ loadKoffi: () => { throw new Error("Cannot find module 'koffi'"); }, findLibvips: () => "/x/libvips-cpp.so.8.18.7" });
    expect(noKoffi.name).toBe("sharp");
    expect(noKoffi.reason).toContain("Cannot find module 'koffi'");
    const noLib = chooseDecoder({ findLibvips: () => null });
    expect(noLib.name).toBe("sharp");
    expect(noLib.reason).toContain("not mapped");
  });

  it("refuses a forced direct path that cannot load, and an unknown setting", () => {
    expect(() => chooseDecoder({ setting: "libvips", findLibvips: () => null })).toThrow(ConfigError);
    expect(() => chooseDecoder({ setting: "libvips", findLibvips: () => null })).toThrow(/COTRAIN_IMAGE_DECODER=libvips, but the direct libvips path cannot load/);
    expect(() => chooseDecoder({ setting: "pil" })).toThrow(/must be "auto", "sharp" or "libvips"/);
  });

  it("finds the libvips sharp mapped, by its path in /proc/self/maps", () => {
    const maps = [
      "7f00-7f01 r-xp 00000000 08:01 123 /usr/lib/x86_64-linux-gnu/libc.so.6",
      "7f02-7f03 r-xp 00000000 08:01 456 /w/node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.18.7",
    ].join("\n");
    expect(mappedLibvips(() => maps)).toBe("/w/node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so.8.18.7");
    expect(mappedLibvips(() => "7f00-7f01 r-xp 00000000 08:01 123 /usr/lib/libvips.so.42")).toBeNull();
    expect(mappedLibvips(() => { throw new Error("ENOENT"); })).toBeNull();
  });

  it.runIf(linux)("loads the direct path here (Linux, koffi installed)", () => {
    const choice = chooseDecoder({ setting: "auto" });
    expect(choice.name).toBe("libvips");
    expect(choice.direct?.path).toMatch(/libvips-cpp\.so/);
  });
});

describe("loadShrink", () => {
  const bytes = new Uint8Array(0);
  const at = (width: number, height: number, w: number, h: number, shrinkOnLoad: boolean): number | null => loadShrink(bytes, { width: w, height: h, shrinkOnLoad }, { width, height });
  it("follows sharp's rule without shrinkOnLoad: never 1/2 under a 3× reduction", () => {
    expect(at(640, 480, 224, 224, false)).toBe(1); // 2.14×: sharp halves its 2 to 1
    expect(at(640, 480, 213, 160, false)).toBe(2); // 3.0×
    expect(at(640, 480, 142, 106, false)).toBe(2); // 4.5×: 4, halved since trunc(4.5) = 4
    expect(at(640, 480, 100, 37, false)).toBe(4); // 6.4×
    expect(at(4000, 3000, 224, 224, false)).toBe(8); // 13.4×
  });
  it("with shrinkOnLoad, takes the largest scale that still covers the output (PIL's draft)", () => {
    expect(at(640, 480, 224, 224, true)).toBe(2); // 320×240
    expect(at(640, 480, 336, 336, true)).toBe(1); // 320×240 would not cover 336
    expect(at(641, 481, 81, 61, true)).toBe(8); // libjpeg rounds up: 1/8 of 641×481 is 81×61
    expect(at(640, 480, 81, 61, true)).toBe(4); // 80×60 at 1/8 does not
    expect(at(4000, 3000, 224, 224, true)).toBe(8);
  });
  it("reads the frame size from the SOF marker, and gives null without one", async () => {
    expect(jpegDimensions(await encode(photo(40, 24, 1), 40, 24, "jpeg"))).toEqual({ width: 40, height: 24 });
    expect(loadShrink(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), { width: 8, height: 8, shrinkOnLoad: true })).toBeNull();
  });
});

describe.runIf(linux)("the direct libvips path", () => {
  it("gives sharp's own pixels, byte for byte, at sharp's load scale (every kernel, both fits, down and up)", async () => {
    const { direct } = imageDecoder();
    if (direct === null) throw new Error("the direct path did not load");
    const bytes = await jpeg640(1);
    const check = async (width: number, height: number, fit: "cover" | "fill", kernel: Kernel): Promise<void> => {
      const mine = await direct.resizeJpeg(bytes, { width, height, fit, kernel, shrinkOnLoad: false, failOn: "truncated" });
      expect(firstDifference(mine, await sharpResize(bytes, width, height, fit, kernel)), `${kernel} ${fit} ${width}×${height}`).toBe(-1);
    };
    for (const kernel of ["nearest", "linear", "cubic", "mitchell", "lanczos2", "lanczos3", "mks2013", "mks2021"] as const) await check(224, 224, "cover", kernel);
    // Sizes where sharp itself loads at 1/4 (100×37) and 1/2 (142×106), stretches, enlarges, keeps the size.
    for (const [width, height] of [[224, 224], [100, 37], [142, 106], [300, 100], [700, 500], [640, 480], [1, 1]] as const) {
      for (const fit of ["cover", "fill"] as const) await check(width, height, fit, "linear");
    }
    await check(100, 37, "fill", "lanczos3");
  });

  it("gives sharp's pixels in a worker thread too (resize planned in place, decode on libuv's pool)", async () => {
    const entry = pathToFileURL(fileURLToPath(new URL("../dist/index.js", import.meta.url))).href;
    const bytes = await jpeg640(7);
    const cases = [[224, 224, "cover", "linear"], [224, 224, "fill", "lanczos3"], [142, 106, "cover", "linear"], [100, 37, "fill", "cubic"], [700, 500, "fill", "linear"]] as const;
    const worker = new Worker(`const { workerData, parentPort } = require("node:worker_threads");
      import(workerData.entry).then(async ({ imageDecoder }) => {
        const { direct } = imageDecoder();
        const out = [];
        for (const [width, height, fit, kernel] of workerData.cases) out.push(await direct.resizeJpeg(workerData.bytes, { width, height, fit, kernel, shrinkOnLoad: false, failOn: "truncated" }));
        parentPort.postMessage(out);
      });`, { eval: true, workerData: { entry, bytes, cases } });
    const results = await new Promise<(Uint8Array | null)[]>((resolve, reject) => worker.once("message", resolve).once("error", reject));
    await worker.terminate();
    for (let i = 0; i < cases.length; i++) {
      const [width, height, fit, kernel] = cases[i] as (typeof cases)[number];
      expect(firstDifference(results[i] ?? null, await sharpResize(bytes, width, height, fit, kernel)), cases[i]?.join(" ")).toBe(-1);
    }
  });

  it("shrinkOnLoad decodes 640×480 at 320×240 for a 224 output: close to, not equal to, the full decode", async () => {
    for (const seed of [3, 4]) {
      const bytes = await jpeg640(seed);
      const full = await transformImage(bytes, { size: 224, kernel: "linear", normalize: null });
      const shrunk = await transformImage(bytes, { size: 224, kernel: "linear", normalize: null, shrinkOnLoad: true });
      expect(shrunk.uint8.length).toBe(224 * 224 * 3);
      expect(firstDifference(shrunk.uint8, full.uint8)).toBeGreaterThanOrEqual(0);
      expect(meanAbsError(shrunk.uint8, full.uint8)).toBeLessThan(3);
    }
  });

  it("leaves to sharp (full decode) what it does not handle the same way: grey, ICC-tagged, non-JPEG", async () => {
    const base = photo(320, 240, 5);
    const grey = new Uint8Array(await sharp(base, { raw: { width: 320, height: 240, channels: 3 } }).toColourspace("b-w").jpeg({ quality: 90 }).toBuffer());
    expect((await sharp(grey).metadata()).channels).toBe(1);
    const icc = new Uint8Array(await sharp(base, { raw: { width: 320, height: 240, channels: 3 } }).withIccProfile("p3").jpeg({ quality: 90 }).toBuffer());
    const png = await encode(base, 320, 240, "png");
    for (const bytes of [grey, icc, png]) {
      const exact = await transformImage(bytes, { size: 100, normalize: null });
      const opted = await transformImage(bytes, { size: 100, normalize: null, shrinkOnLoad: true });
      expect(firstDifference(opted.uint8, exact.uint8)).toBe(-1);
    }
  });

  it("reports a truncated JPEG as sharp does: an ImageError naming the sample", async () => {
    const bytes = await jpeg640(6);
    const cut = bytes.slice(0, Math.floor(bytes.length / 2));
    const where = { file: "x.json", row: 3, field: "image" };
    await expect(transformImage(cut, { size: 224, shrinkOnLoad: true }, { where })).rejects.toThrow(ImageError);
    await expect(transformImage(cut, { size: 224, shrinkOnLoad: true }, { where })).rejects.toMatchObject({ code: "IMAGE_UNDECODABLE", row: 3 });
  });

  it("refuses shrinkOnLoad where the direct path is off, rather than give other pixels", () => {
    const entry = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    const script = `import { transformImage } from ${JSON.stringify(entry)}; import sharp from "sharp";
      const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#808080" } }).jpeg().toBuffer();
      try { await transformImage(new Uint8Array(jpeg), { size: 16, shrinkOnLoad: true }); console.log("no error"); }
      catch (e) { console.log(e.name, e.code, e.message); }`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, COTRAIN_IMAGE_DECODER: "sharp" }, cwd: fileURLToPath(new URL("..", import.meta.url)) });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^ConfigError VISION_SHRINK_ON_LOAD .*needs the direct libvips decoder, and COTRAIN_IMAGE_DECODER=sharp/);
  });
});
