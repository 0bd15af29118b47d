import { MissingError, ValueError } from "@cotrain/core";
import type { Episode } from "../episode.js";
import type { FeatureValue } from "./example.js";
import { storageOf, valuesPerStep } from "./features.js";
import type { FlatFeature } from "./features.js";
import { cameraName } from "./mapping.js";
import type { RldsMapping } from "./mapping.js";

const utf8 = new TextEncoder();

/**
 * The Example features of one episode under a feature layout: cameras, action and state split back into their
 * keys by the layout's sizes, instructions and alternates, RLDS flags, extras and episode metadata. A feature the
 * episode has no value for gets the RLDS default (is_first/is_last from the position, is_terminal = is_last, reward 1
 * on the last step, discount 1, file_path = id, episode_id = index) or, for other numeric tensors such as
 * language embeddings, zeros; a missing camera, action or state is an error.
 */
export function encodeEpisode(episode: Episode, features: readonly FlatFeature[], mapping: RldsMapping): Map<string, FeatureValue> {
  const T = episode.length;
  const where = { id: episode.id, row: episode.index };
  const out = new Map<string, FeatureValue>();
  const slices = (keys: readonly string[], values: Float32Array | null, dim: number, what: string): Map<string, FeatureValue> => {
    const found = new Map<string, FeatureValue>();
    const sized = keys.map((k) => [k, stepSize(features, k)] as const);
    const total = sized.reduce((n, [, s]) => n + s, 0);
    if (keys.length === 0) return found;
    if (values === null) throw new MissingError("RLDS_WRITE_MISSING", `episode has no ${what}, which the layout stores in ${keys.join(", ")}`, { ...where, field: what });
    if (total !== dim || values.length !== T * dim) {
      throw new ValueError("RLDS_WRITE_SHAPE", `episode ${what} is ${dim}-D (${values.length} values over ${T} steps), the layout's ${keys.join(" + ")} hold ${total}`, { ...where, field: what });
    }
    let column = 0;
    for (const [k, size] of sized) {
      const part = new Float32Array(T * size);
      for (let t = 0; t < T; t++) part.set(values.subarray(t * dim + column, t * dim + column + size), t * size);
      found.set(`steps/${k}`, { kind: "float", values: part });
      column += size;
    }
    return found;
  };
  const actions = slices(mapping.action, episode.actions, episode.actionDim, "action");
  const states = slices(mapping.state ?? [], episode.states, episode.stateDim, "state");
  const cameraKeys = new Set(mapping.cameras.map((k) => `steps/${k}`));
  const [primary, ...alternates] = mapping.instruction ?? ["language_instruction"];
  const perStep = <V>(f: (t: number) => V): V[] => Array.from({ length: T }, (_, t) => f(t));

  for (const f of features) {
    const name = f.key.slice(f.key.indexOf("/") + 1);
    let value: FeatureValue;
    if (f.scope === "episode") {
      value = metadataValue(f, episode);
    } else if (cameraKeys.has(f.key)) {
      const camera = episode.cameras.find((c) => c.name === cameraName(f.key));
      if (!camera) throw new MissingError("RLDS_WRITE_MISSING", `episode has no camera ${cameraName(f.key)} (it has ${episode.cameras.map((c) => c.name).join(", ")})`, { ...where, field: f.key });
      if (camera.frames.length !== T) throw new ValueError("RLDS_WRITE_SHAPE", `camera ${camera.name} has ${camera.frames.length} frames for ${T} steps`, { ...where, field: f.key });
      value = { kind: "bytes", values: camera.frames };
    } else if (actions.has(f.key) || states.has(f.key)) {
      value = (actions.get(f.key) ?? states.get(f.key)) as FeatureValue;
    } else if (name === primary) {
      value = text(perStep((t) => episode.instructions[t] ?? episode.instructions[0] ?? ""));
    } else if (alternates.includes(name)) {
      const alt = episode.alternateInstructions?.[name];
      value = text(perStep((t) => alt?.[t] ?? ""));
    } else if (name === "is_first" || name === "is_last" || name === "is_terminal") {
      const last = (t: number): boolean => episode.isLast?.[t] ?? t === T - 1;
      const get = name === "is_first" ? (t: number) => episode.isFirst?.[t] ?? t === 0 : name === "is_last" ? last : (t: number) => episode.isTerminal?.[t] ?? last(t);
      value = { kind: "int64", values: perStep((t) => (get(t) ? 1 : 0)) };
    } else if (name === "reward") {
      value = { kind: "float", values: episode.rewards ?? Float32Array.from(perStep((t) => (t === T - 1 ? 1 : 0))) };
    } else if (name === "discount") {
      value = { kind: "float", values: episode.discounts ?? new Float32Array(T).fill(1) };
    } else {
      value = extraValue(f, name, episode, where);
    }
    out.set(f.key, value);
  }
  return out;
}

function stepSize(features: readonly FlatFeature[], name: string): number {
  const f = features.find((x) => x.key === `steps/${name}`);
  const size = f ? valuesPerStep(f) : null;
  if (size === null) throw new RangeError(`the layout has no step feature ${name} of known size`);
  return size;
}

function text(values: string[]): FeatureValue {
  return { kind: "bytes", values: values.map((s) => utf8.encode(s)) };
}

function extraValue(f: FlatFeature, name: string, episode: Episode, where: { id: string; row: number }): FeatureValue {
  const storage = storageOf(f);
  const size = valuesPerStep(f) ?? 0;
  if (storage === "bytes") return text(new Array<string>(episode.length).fill(""));
  const extra = episode.extras?.[name];
  if (extra) {
    if (extra.dim !== size || extra.values.length !== episode.length * size) {
      throw new ValueError("RLDS_WRITE_SHAPE", `extra ${name} is ${extra.dim}-D with ${extra.values.length} values; the layout declares ${size} per step over ${episode.length} steps`, { ...where, field: f.key });
    }
    return { kind: storage === "float" ? "float" : "int64", values: storage === "float" ? extra.values : Array.from(extra.values, Math.round) };
  }
  const zeros = new Array<number>(episode.length * size).fill(0);
  return storage === "float" ? { kind: "float", values: zeros } : { kind: "int64", values: zeros };
}

function metadataValue(f: FlatFeature, episode: Episode): FeatureValue {
  const name = f.key.startsWith("episode_metadata/") ? f.key.slice("episode_metadata/".length) : f.key;
  const stored = episode.metadata?.[name];
  const fallback: Record<string, string> = {
    file_path: episode.id,
    episode_id: String(episode.index),
    has_language: String(episode.instructions.some((s) => s !== "")),
  };
  const raw = stored ?? fallback[name] ?? (/^has_image_\d+$/.test(name) ? "true" : undefined);
  const storage = storageOf(f);
  if (storage === "bytes") return { kind: "bytes", values: (raw === undefined ? [""] : f.shape.length === 0 ? [raw] : raw.split("\n")).map((s) => utf8.encode(s)) };
  const size = valuesPerStep(f) ?? 1;
  const numbers = raw === undefined ? new Array<number>(size).fill(0) : raw.split(",").map((s) => (s === "true" ? 1 : s === "false" ? 0 : Number(s)));
  return storage === "float" ? { kind: "float", values: numbers } : { kind: "int64", values: numbers };
}
