import { FormatError, MissingError, ValueError } from "@cotrain/core";
import type { ErrorLocation } from "@cotrain/core";
import type { Episode } from "../episode.js";
import { featureLength } from "./example.js";
import type { FeatureValue } from "./example.js";
import { storageOf, valuesPerStep } from "./features.js";
import type { FlatFeature } from "./features.js";
import { checkImageHeader, imageKind, validateImage } from "@cotrain/vision";
import type { ImageValidation } from "@cotrain/vision";
import { cameraName } from "./mapping.js";
import type { ResolvedKey, ResolvedMapping } from "./mapping.js";

/** Where a record sits, for errors and for the episode's index and id. */
export interface RecordContext {
  file: string;
  /** Shard file name, for ids of episodes without a file_path. */
  shardName: string;
  offset: number;
  /** Record number within the file. */
  record: number;
  /** Global episode index in the split. */
  index: number;
  source: string;
}

export interface DecodeOptions {
  images: ImageValidation;
  /** Decode the mapping's extras into Episode.extras (readRldsEpisodes does; the row source does not need them). */
  extras: boolean;
}

// Strict: a lenient decoder would turn bytes that are not UTF-8 into U+FFFD, silently changing the instruction.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A Text feature's value as a string; FormatError RLDS_TEXT naming the key when the bytes are not UTF-8. */
function textOf(bytes: Uint8Array, where: ErrorLocation): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new FormatError("RLDS_TEXT", `holds ${bytes.length} bytes that are not valid UTF-8 text`, { ...where, cause });
  }
}

/**
 * Turns one decoded Example (one episode) into an Episode, checking it against features.json: every step feature
 * must hold steps × its per-step size values of its declared storage, the mapped keys must be present, actions and
 * states must be finite, images must pass the chosen validation. Errors name file, byte offset, record and key.
 */
export async function decodeEpisode(example: Map<string, FeatureValue>, layout: ResolvedMapping, ctx: RecordContext, options: DecodeOptions): Promise<Episode> {
  const where = (field?: string): ErrorLocation => ({ file: ctx.file, offset: ctx.offset, row: ctx.record, ...(field ? { field } : {}) });
  const first = layout.action[0] as ResolvedKey;
  const firstValue = example.get(first.key);
  if (!firstValue) throw new MissingError("RLDS_MISSING_KEY", `record ${ctx.record} has no ${first.key}`, where(first.key));
  const steps = featureLength(firstValue) / first.size;
  if (!Number.isInteger(steps)) {
    throw new ValueError("RLDS_SHAPE", `${first.key} holds ${featureLength(firstValue)} values, not a whole number of steps of ${first.size} (features.json shape [${first.feature.shape}])`, where(first.key));
  }
  for (const feature of layout.steps) checkStepFeature(example.get(feature.key), feature, steps, where(feature.key));
  for (const feature of layout.metadata) checkStorage(example.get(feature.key), feature, where(feature.key));

  const required = (k: ResolvedKey): FeatureValue => {
    const v = example.get(k.key);
    if (!v) throw new MissingError("RLDS_MISSING_KEY", `record ${ctx.record} has no ${k.key}`, where(k.key));
    return v;
  };
  const actions = concatSteps(layout.action, steps, required, true, where);
  const states = layout.state.length > 0 ? concatSteps(layout.state, steps, required, true, where) : null;

  const metadata = readMetadata(example, layout.metadata, where);
  const filePath = metadata.file_path;
  // Bridge stores several trajectories per raw file told apart by episode_id; its TFDS builder keyed them path_id.
  const id = filePath ? (metadata.episode_id !== undefined ? `${filePath}_${metadata.episode_id}` : filePath) : `${ctx.shardName}#${ctx.record}`;

  const cameras: Episode["cameras"] = [];
  for (const cam of layout.cameras) {
    const frames = bytesOf(required(cam));
    for (let t = 0; t < frames.length; t++) {
      const frame = frames[t] as Uint8Array;
      // The location object is built only for a failing image: this loop runs for every image of the dataset.
      if (options.images === "header") {
        if (imageKind(frame) === null) checkImageHeader(frame, { ...where(cam.key), id: `${id}#${t}` });
      } else await validateImage(frame, options.images, { ...where(cam.key), id: `${id}#${t}` }, cam.feature.shape);
    }
    cameras.push({ name: cameraName(cam.name), frames });
  }

  const texts = (k: ResolvedKey): string[] => bytesOf(required(k)).map((b) => textOf(b, where(k.key)));
  const episode: Episode = {
    source: ctx.source,
    index: ctx.index,
    id,
    length: steps,
    cameras,
    actions,
    actionDim: layout.actionDim,
    states,
    stateDim: layout.stateDim,
    instructions: layout.instruction ? texts(layout.instruction) : new Array<string>(steps).fill(""),
  };
  if (layout.alternates.length > 0) episode.alternateInstructions = Object.fromEntries(layout.alternates.filter((k) => example.has(k.key)).map((k) => [k.name, texts(k)]));
  if (options.extras && layout.extras.length > 0) {
    episode.extras = Object.fromEntries(layout.extras.filter((k) => example.has(k.key)).map((k) => [k.name, { dim: k.size, values: concatSteps([k], steps, required, false, where) }]));
  }
  if (Object.keys(metadata).length > 0) episode.metadata = metadata;
  const flag = (k: ResolvedKey | undefined): boolean[] | undefined => (k && example.has(k.key) ? Array.from(numbersOf(required(k)), (v) => v !== 0) : undefined);
  const floats = (k: ResolvedKey | undefined): Float32Array | undefined => (k && example.has(k.key) ? Float32Array.from(numbersOf(required(k))) : undefined);
  const { is_first, is_last, is_terminal, reward, discount } = layout.flags;
  const isFirst = flag(is_first);
  const isLast = flag(is_last);
  const isTerminal = flag(is_terminal);
  const rewards = floats(reward);
  const discounts = floats(discount);
  if (isFirst) episode.isFirst = isFirst;
  if (isLast) episode.isLast = isLast;
  if (isTerminal) episode.isTerminal = isTerminal;
  if (rewards) episode.rewards = rewards;
  if (discounts) episode.discounts = discounts;
  return episode;
}

/**
 * The Example keys whose values `decodeEpisode` reads under these options; it needs only the kind and value count
 * of every other feature (see decodeExampleFeatures).
 */
export function keysRead(layout: ResolvedMapping, options: DecodeOptions): Set<string> {
  const keys = [...layout.action, ...layout.state, ...layout.cameras, ...layout.alternates, ...(options.extras ? layout.extras : [])].map((k) => k.key);
  if (layout.instruction) keys.push(layout.instruction.key);
  for (const flag of Object.values(layout.flags)) if (flag) keys.push(flag.key);
  for (const feature of layout.metadata) keys.push(feature.key);
  return new Set(keys);
}

function checkStorage(value: FeatureValue | undefined, feature: FlatFeature, where: ErrorLocation): void {
  if (!value || value.kind === "none") return;
  const storage = storageOf(feature);
  if (storage !== null && value.kind !== storage) {
    throw new FormatError("RLDS_KIND", `${feature.key} is stored as a ${value.kind} list, but features.json declares ${feature.kind} ${feature.dtype} (a ${storage} list)`, where);
  }
}

function checkStepFeature(value: FeatureValue | undefined, feature: FlatFeature, steps: number, where: ErrorLocation): void {
  if (!value) return;
  checkStorage(value, feature, where);
  const size = valuesPerStep(feature);
  if (size === null || storageOf(feature) === null) return;
  const n = featureLength(value);
  if (n !== steps * size) {
    throw new ValueError("RLDS_SHAPE", `${feature.key} holds ${n} values, but ${steps} steps × ${size} per step (features.json shape [${feature.shape}]) is ${steps * size}`, where);
  }
}

function bytesOf(value: FeatureValue): Uint8Array[] {
  return value.kind === "bytes" ? value.values : [];
}

function numbersOf(value: FeatureValue): ArrayLike<number> {
  return value.kind === "float" || value.kind === "int64" ? value.values : [];
}

/** Concatenates per-step blocks of several keys into one steps × Σsize Float32Array (row-major). */
function concatSteps(keys: readonly ResolvedKey[], steps: number, get: (k: ResolvedKey) => FeatureValue, finite: boolean, where: (field: string) => ErrorLocation): Float32Array {
  const dim = keys.reduce((n, k) => n + k.size, 0);
  const out = new Float32Array(steps * dim);
  let column = 0;
  for (const k of keys) {
    const values = numbersOf(get(k));
    for (let t = 0; t < steps; t++) {
      for (let j = 0; j < k.size; j++) {
        const v = values[t * k.size + j] as number;
        if (finite && !Number.isFinite(v)) {
          throw new ValueError("NON_FINITE", `${k.key} is ${v} at step ${t}, dimension ${j}`, where(k.key));
        }
        out[t * dim + column + j] = v;
      }
    }
    column += k.size;
  }
  return out;
}

/** Episode-level features as strings, keyed relative to episode_metadata/ (booleans "true"/"false"). */
function readMetadata(example: Map<string, FeatureValue>, features: readonly FlatFeature[], where: (field: string) => ErrorLocation): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of features) {
    const value = example.get(f.key);
    if (!value || value.kind === "none") continue;
    const name = f.key.startsWith("episode_metadata/") ? f.key.slice("episode_metadata/".length) : f.key;
    if (value.kind === "bytes") out[name] = value.values.map((b) => textOf(b, where(f.key))).join("\n");
    else if (f.dtype === "bool") out[name] = Array.from(value.values, (v) => (v !== 0 ? "true" : "false")).join(",");
    else out[name] = Array.from(value.values, String).join(",");
  }
  return out;
}
