/**
 * The built-in formats in detection order, as plain names: `--help` lists them without loading the readers (a
 * test checks this list against the registry).
 */
export const BUILTIN_FORMAT_NAMES = ["rlds", "lerobot", "shards", "llava", "parquet-vqa"] as const;
