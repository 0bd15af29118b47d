import { ValueError } from "@cotrain/core";
import type { Episode } from "../episode.js";

/**
 * The feature layout a written dataset takes from its first episode: one `observation.images.<camera>` image
 * feature per camera, `observation.state` (when the episode has states), `action`, and each extra tensor under its
 * own name ("/" becomes ".", since LeRobot forbids "/" in feature names). Every later episode must match it.
 */
export interface DatasetLayout {
  cameraNames: string[];
  cameraKeys: string[];
  /** [feature key, values per step, the episode's row-major values]. */
  vectors: [string, number, (e: Episode) => Float32Array][];
}

export function datasetLayout(first: Episode): DatasetLayout {
  const cameraNames = first.cameras.map((c) => c.name);
  const vectors: DatasetLayout["vectors"] = [];
  if (first.states) vectors.push(["observation.state", first.stateDim, (e) => e.states as Float32Array]);
  vectors.push(["action", first.actionDim, (e) => e.actions]);
  for (const [name, extra] of Object.entries(first.extras ?? {})) {
    vectors.push([name.replaceAll("/", "."), extra.dim, (e) => (e.extras?.[name] as { values: Float32Array }).values]);
  }
  const layout = { cameraNames, cameraKeys: cameraNames.map((n) => `observation.images.${n}`), vectors };
  const keys = [...layout.cameraKeys, ...vectors.map(([k]) => k)];
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate) throw new ValueError("LEROBOT_LAYOUT", `two features would both be named ${JSON.stringify(duplicate)}`, { id: first.id, field: duplicate });
  return layout;
}

/** Raises ValueError naming the episode, step and field when an episode does not fit the layout or holds a non-finite value. */
export function checkWritable(episode: Episode, layout: DatasetLayout): void {
  const id = episode.id;
  const names = episode.cameras.map((c) => c.name);
  if (names.join("\u0000") !== layout.cameraNames.join("\u0000")) {
    throw new ValueError("LEROBOT_LAYOUT", `cameras [${names.join(", ")}] differ from the dataset's [${layout.cameraNames.join(", ")}]`, { id, field: "cameras" });
  }
  for (const camera of episode.cameras) {
    if (camera.frames.length !== episode.length) throw new ValueError("EPISODE_SHAPE", `${camera.frames.length} frames for ${episode.length} steps`, { id, field: camera.name });
  }
  if ((episode.states === null) !== !layout.vectors.some(([k]) => k === "observation.state")) {
    throw new ValueError("LEROBOT_LAYOUT", "some episodes have states and others do not", { id, field: "observation.state" });
  }
  for (const [key, dim, get] of layout.vectors) {
    let values: Float32Array;
    try {
      values = get(episode);
    } catch {
      throw new ValueError("LEROBOT_LAYOUT", "the episode lacks this extra tensor", { id, field: key });
    }
    const ownDim = key === "action" ? episode.actionDim : key === "observation.state" ? episode.stateDim : (values?.length ?? 0) / Math.max(episode.length, 1);
    if (!values || ownDim !== dim || values.length !== episode.length * dim) {
      throw new ValueError("EPISODE_SHAPE", `${values?.length ?? 0} values for ${episode.length} steps × ${dim}`, { id, field: key });
    }
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ValueError("NON_FINITE", `value ${bad % dim} is ${values[bad]}, not a finite number`, { id, row: Math.floor(bad / dim), field: key });
  }
}
