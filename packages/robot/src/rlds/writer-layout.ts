import { ConfigError } from "@cotrain/core";
import { probeImage } from "@cotrain/vision";
import type { Episode } from "../episode.js";
import { parseFeatures } from "./features.js";
import type { FlatFeature } from "./features.js";
import { imageKind } from "@cotrain/vision";
import { cameraName } from "./mapping.js";
import type { RldsMapping } from "./mapping.js";
import { presetFeatures, presetMapping } from "./presets.js";
import type { DroidPresetOptions, RldsPreset } from "./presets.js";

export interface LayoutOptions {
  preset?: RldsPreset;
  droid?: DroidPresetOptions;
  mapping?: RldsMapping;
  /** The feature tree to write: flat features or a features.json object. Default: the preset's, else derived from the mapping and the first episode. */
  features?: readonly FlatFeature[] | Record<string, unknown>;
}

/**
 * The features and mapping a writer uses. Image shapes and encodings are taken from the first episode's first
 * frames, so features.json describes the images actually written (a preset's 256×256 would be wrong for 32×32
 * test images).
 */
export async function writerLayout(first: Episode | undefined, options: LayoutOptions): Promise<{ features: FlatFeature[]; mapping: RldsMapping }> {
  if (options.preset !== undefined && options.mapping !== undefined) throw new ConfigError("RLDS_OPTION", "pass either preset or mapping, not both", { field: "mapping" });
  if (options.preset === undefined && options.mapping === undefined) throw new ConfigError("RLDS_OPTION", "writeRlds needs a preset (\"bridge\" | \"droid\") or a mapping", { field: "preset" });
  const mapping = options.mapping ?? presetMapping(options.preset as RldsPreset, options.droid);
  let features: FlatFeature[];
  if (options.features) features = Array.isArray(options.features) ? [...(options.features as FlatFeature[])] : parseFeatures(options.features, "options.features");
  else if (options.preset) features = presetFeatures(options.preset).map((f) => ({ ...f, shape: [...f.shape] }));
  else features = deriveFeatures(mapping, first);
  if (first) {
    for (const f of features) {
      if (f.kind !== "image") continue;
      const frame = first.cameras.find((c) => c.name === cameraName(f.key))?.frames[0];
      if (!frame) continue;
      const info = await probeImage(frame, { id: first.id, field: f.key });
      f.shape = [info.height, info.width, 3];
      const kind = imageKind(frame); // TFDS's Image feature encodes only PNG and JPEG
      f.encodingFormat = kind === "png" || kind === "jpeg" ? kind : (f.encodingFormat ?? "jpeg");
    }
  }
  return { features, mapping };
}

/** A layout for a custom mapping: one float32 tensor per action/state key (which must then be a single key). */
function deriveFeatures(mapping: RldsMapping, first: Episode | undefined): FlatFeature[] {
  if (!first) throw new ConfigError("RLDS_OPTION", "with a mapping and no episodes, pass features to describe the dataset", { field: "features" });
  const out: FlatFeature[] = [];
  const step = (key: string, f: Omit<FlatFeature, "key" | "scope">): void => void out.push({ key: `steps/${key}`, scope: "step", ...f });
  const tensor = (key: string, dim: number): void => step(key, { kind: "tensor", dtype: "float32", shape: [dim], encoding: "none" });
  for (const key of mapping.cameras) step(key, { kind: "image", dtype: "uint8", shape: [-1, -1, 3], encodingFormat: "jpeg" });
  for (const [what, keys, dim] of [["action", mapping.action, first.actionDim], ["state", mapping.state ?? [], first.stateDim]] as const) {
    if (keys.length > 1) throw new ConfigError("RLDS_OPTION", `the mapping splits the ${what} over ${keys.join(", ")}: pass features to give each key's size`, { field: what });
    if (keys.length === 1) tensor(keys[0] as string, dim);
  }
  for (const key of mapping.instruction ?? ["language_instruction"]) step(key, { kind: "text", dtype: "string", shape: [] });
  for (const key of mapping.extras ?? []) {
    const extra = first.extras?.[key];
    if (extra) tensor(key, extra.dim);
  }
  for (const name of ["is_first", "is_last", "is_terminal"]) step(name, { kind: "tensor", dtype: "bool", shape: [], encoding: "none" });
  for (const name of ["reward", "discount"]) step(name, { kind: "tensor", dtype: "float32", shape: [], encoding: "none" });
  const metadata = new Set(["file_path", ...Object.keys(first.metadata ?? {})]);
  for (const name of metadata) out.push({ key: `episode_metadata/${name}`, scope: "episode", kind: "text", dtype: "string", shape: [] });
  return out;
}
