import { validateShardSpec } from "@cotrain/core";
import type { SeedLike, ShardSpec } from "@cotrain/core";
import { imageValidation } from "@cotrain/vision";
import type { ImageValidation, ValidateImagesOption } from "@cotrain/vision";

export type OnError = "raise" | "skip";

/** Options shared by `openLlava` and `openParquetVqa`. */
export interface VqaReaderOptions {
  /** Rows per batch (default 64). */
  batchSize?: number;
  /** Seeded block shuffle (core's `shuffle`): blocks of `bufferSize` rows, permuted per (seed, epoch, block). */
  shuffle?: { bufferSize: number; seed: SeedLike };
  /** "raise" (default) stops at the first bad entry; "skip" drops it and counts it under its error code. */
  onError?: OnError;
  /**
   * Image check while reading: "header" (default: a whole JPEG or PNG, at memory speed), "decode" (= true: a full
   * decode, so corrupt scan data fails here with its entry named, at the cost of a second decode per epoch) or
   * "off" (= false).
   */
  validateImages?: ValidateImagesOption;
  /** Keep only entries whose index (position in the file, or across the sorted files) is `index` modulo `count`. */
  shard?: ShardSpec;
  /** The `source` column value (default: the file name without extension). */
  source?: string;
  /** Folder that relative image paths resolve against. */
  imageRoot?: string;
  /**
   * Follow symlinks under the image root that lead out of it (default false: such an image is a ValueError
   * VQA_IMAGE_OUTSIDE_ROOT, so a dataset cannot smuggle in a file from elsewhere on the machine). Set it when you
   * linked a folder in yourself, e.g. `images/coco -> /datasets/coco`.
   */
  allowSymlinksOutsideRoot?: boolean;
  /**
   * Images read and decoded at once (default 16; decoding itself runs on sharp's thread pool). With the file thread
   * (`fileThread`, the default) it bounds full decodes only: that thread reads a batch's files one after another.
   */
  concurrency?: number;
  /**
   * Read image files on a thread of the reader's own, with blocking calls, a batch's files per message (default
   * true: on local disks it costs the reader's thread least). false: read them on the reader's thread
   * asynchronously, `concurrency` at once, which suits storage whose every read waits long (a network file
   * system), where the file thread's one read at a time would wait in turn. Image roots that are URLs are always
   * read asynchronously.
   */
  fileThread?: boolean;
}

export interface ResolvedReaderOptions {
  batchSize: number;
  shuffle: { bufferSize: number; seed: SeedLike } | null;
  onError: OnError;
  validateImages: ImageValidation;
  shard: ShardSpec | null;
  source: string;
  imageRoot: string | null;
  allowSymlinksOutsideRoot: boolean;
  concurrency: number;
  fileThread: boolean;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function booleanOption(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new TypeError(`${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** Validates the options once, in the constructor, with messages that name the option and show the value. */
export function resolveReaderOptions(options: VqaReaderOptions, defaultSource: string): ResolvedReaderOptions {
  const onError = options.onError ?? "raise";
  if (onError !== "raise" && onError !== "skip") throw new RangeError(`onError must be "raise" or "skip", got ${JSON.stringify(onError)}`);
  const shuffle = options.shuffle ?? null;
  if (shuffle !== null) {
    positiveInt("shuffle.bufferSize", shuffle.bufferSize);
    if (typeof shuffle.seed !== "number" && typeof shuffle.seed !== "string") throw new TypeError(`shuffle.seed must be a number or string, got ${JSON.stringify(shuffle.seed)}`);
  }
  const source = options.source ?? defaultSource;
  if (typeof source !== "string" || source === "") throw new TypeError(`source must be a non-empty string, got ${JSON.stringify(source)}`);
  return {
    batchSize: positiveInt("batchSize", options.batchSize ?? 64),
    shuffle,
    onError,
    validateImages: imageValidation(options.validateImages),
    shard: options.shard === undefined ? null : validateShardSpec(options.shard),
    source,
    imageRoot: options.imageRoot ?? null,
    allowSymlinksOutsideRoot: options.allowSymlinksOutsideRoot ?? false,
    concurrency: positiveInt("concurrency", options.concurrency ?? 16),
    fileThread: booleanOption("fileThread", options.fileThread ?? true),
  };
}
