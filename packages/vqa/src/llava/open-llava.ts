import { existsSync } from "node:fs";
import { extname } from "node:path";
import { MissingError, isRemote, locationName, parentLocation } from "@cotrain/core";
import { resolveReaderOptions } from "../options.js";
import type { VqaReaderOptions } from "../options.js";
import { makeVqaSource } from "../vqa-source.js";
import type { VqaSource } from "../vqa-source.js";
import { JsonArrayCursor } from "./json-array-cursor.js";
import { parseLlavaEntry } from "./llava-entry.js";

export interface LlavaOptions extends VqaReaderOptions {
  /** Folder (or URL of one) the entries' `image` paths are relative to (default: the JSON file's folder). */
  imageRoot?: string;
}

/**
 * Streams a LLaVA instruct JSON file (llava_v1_5_mix665k.json, LLaVA-Pretrain, ShareGPT4V) as canonical VQA rows:
 * `kind` "vqa", `sample_id` the entry id, `messages` with human/gpt mapped to user/assistant (text unchanged, so
 * `<image>` stays where it was), `images` the bytes of each image file, `cameras` "image" per image, no action or
 * state. The file is parsed as a stream and never held whole; see the README for what resuming costs. `jsonPath`
 * may be a URL (http(s)://, s3://), read by ranges through core's remote cache; a remote file that is not there is
 * then found missing by the first `next()` (a MissingError, REMOTE_NOT_FOUND).
 */
export function openLlava(jsonPath: string, options: LlavaOptions = {}): VqaSource {
  if (!isRemote(jsonPath) && !existsSync(jsonPath)) throw new MissingError("LLAVA_FILE_MISSING", "the LLaVA JSON file does not exist", { file: jsonPath });
  const name = locationName(jsonPath);
  const resolved = resolveReaderOptions({ ...options, imageRoot: options.imageRoot ?? parentLocation(jsonPath) }, name.slice(0, name.length - extname(name).length));
  return makeVqaSource(new JsonArrayCursor(jsonPath), parseLlavaEntry, resolved, "openLlava");
}
