import { InvalidArgumentError } from "commander";
import type { Command } from "commander";
import type { PreprocessOptions } from "@cotrain/vision";
import { integer } from "./input-options.js";

export interface ImageFlags {
  imageSize?: number | [number, number];
  imageFormat?: "jpeg" | "png" | "raw";
  quality?: number;
  imageResize?: "crop" | "squash";
  imageKernel?: string;
  shrinkOnLoad?: boolean;
}

/** `224` (square) or `HxW` (`224x320`: height 224, width 320), as TransformSpec's `size: n | [h, w]`. */
const imageSize = (value: string): number | [number, number] => {
  const m = /^\s*(\d+)\s*(?:[x×]\s*(\d+))?\s*$/i.exec(value);
  const [h, w] = [Number(m?.[1]), Number(m?.[2] ?? m?.[1])];
  if (m === null || !(h >= 1 && w >= 1)) throw new InvalidArgumentError(`expected a side or HxW in pixels (e.g. "224" or "224x320"), got ${JSON.stringify(value)}`);
  return m[2] === undefined ? h : [h, w];
};

const oneOf = <T extends string>(names: readonly T[]) => (value: string): T => {
  if (!(names as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected ${names.map((n) => `"${n}"`).join(", ")}, got ${JSON.stringify(value)}`);
  return value as T;
};

const quality = (value: string): number => {
  const q = integer(1)(value);
  if (q > 100) throw new InvalidArgumentError(`expected an integer 1..100, got ${JSON.stringify(value)}`);
  return q;
};

/**
 * The flags that resize images while converting, so training decodes small images or copies raw pixels
 * (vision's preprocessImages). They default as the collator's `image.transform` does, so the preprocessed pixels
 * are the ones the online path computes for the same size.
 */
export function withImageOptions(command: Command): Command {
  return command
    .option("--image-size <n|HxW>", "resize every image to this size while converting (a side, or height x width)", imageSize)
    .option("--image-format <format>", "how resized images are stored: jpeg (default; small, lossy), png (lossless) or raw (pixels: no decode at training, ~6x jpeg's size)", oneOf(["jpeg", "png", "raw"] as const))
    .option("--quality <q>", "JPEG quality 1..100 for --image-format jpeg (default 95)", quality)
    .option("--image-resize <mode>", "crop (shorter side to the size, centre cut; default) or squash (each axis)", oneOf(["crop", "squash"] as const))
    .option("--image-kernel <kernel>", "resampling kernel: lanczos3 (default, as the collator's), linear, cubic, mitchell, lanczos2, nearest, mks2013, mks2021")
    .option("--shrink-on-load", "decode JPEGs at 1/2, 1/4 or 1/8 scale first when that still covers the size (PIL's draft; ~25% less CPU, about one grey level from the full decode); needs the direct libvips decoder (Linux)");
}

const FLAG_OF: Record<string, string> = { format: "--image-format", quality: "--quality", resize: "--image-resize", kernel: "--image-kernel", shrinkOnLoad: "--shrink-on-load", width: "--image-size", height: "--image-size" };

/**
 * The preprocess options the flags ask for (undefined without --image-size), validated by vision so that a bad
 * combination fails before any data is read; `fail` reports a usage error naming the flag.
 */
export async function imagePreprocessing(flags: ImageFlags, fail: (message: string) => never): Promise<PreprocessOptions | undefined> {
  if (flags.imageSize === undefined) {
    const stray = (["imageFormat", "quality", "imageResize", "imageKernel", "shrinkOnLoad"] as const).filter((k) => flags[k] !== undefined);
    if (stray.length > 0) fail(`${stray.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")} need(s) --image-size`);
    return undefined;
  }
  const options: PreprocessOptions = {
    size: flags.imageSize,
    ...(flags.imageFormat ? { format: flags.imageFormat } : {}),
    ...(flags.quality !== undefined ? { quality: flags.quality } : {}),
    ...(flags.imageResize ? { resize: flags.imageResize } : {}),
    ...(flags.imageKernel ? { kernel: flags.imageKernel as PreprocessOptions["kernel"] } : {}),
    ...(flags.shrinkOnLoad ? { shrinkOnLoad: true } : {}),
  };
  const { ConfigError } = await import("@cotrain/core");
  const { imageDecoder, resolvePreprocess } = await import("@cotrain/vision");
  if (options.shrinkOnLoad === true) {
    const { direct, reason } = imageDecoder();
    if (direct === null) fail(`--shrink-on-load needs the direct libvips decoder, and ${reason}`);
  }
  try {
    resolvePreprocess(options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const flag = FLAG_OF[error.field ?? ""];
    fail(flag ? `${flag}: ${error.message.replace(/^field "\w+": /, "")}` : error.message);
  }
  return options;
}
