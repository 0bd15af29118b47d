import { z } from "zod";

/** Option pieces every reader shares, with the same rules the readers check (so a config fails before any read). */
export const batchSize = z.number().int().positive();
export const seed = z.number().int().nonnegative();
export const onError = z.enum(["raise", "skip"]);
export const sourceName = z.string().min(1);
/** An image root or other path; relative paths resolve against the config file's folder. */
export const pathString = z.string().min(1);

export const VQA_OPTIONS = {
  source: sourceName.optional(),
  batchSize: batchSize.optional(),
  shuffle: z.strictObject({ bufferSize: z.number().int().positive(), seed: z.union([seed, z.string()]) }).optional(),
  onError: onError.optional(),
  validateImages: z.boolean().optional(),
  concurrency: z.number().int().positive().optional(),
  imageRoot: pathString.optional(),
  /** Follow symlinks under imageRoot that lead out of it (off by default: such an image is an error). */
  allowSymlinksOutsideRoot: z.boolean().optional(),
};
