import { FormatError } from "@cotrain/core";

/** How a feature's values are stored in the tf.train.Example. */
export type Storage = "bytes" | "float" | "int64";

/**
 * One leaf of a TFDS feature tree, flattened the way TFDS flattens it into Example keys: nested dicts joined with
 * "/", step features under "steps/" (one value block per step), everything else once per episode.
 */
export interface FlatFeature {
  /** The Example key, e.g. "steps/observation/image_0" or "episode_metadata/file_path". */
  key: string;
  scope: "step" | "episode";
  kind: "image" | "tensor" | "text";
  /** numpy dtype name: "float32", "float64", "int64", "bool", "uint8" (images), "string" (text). */
  dtype: string;
  /** Shape of one step's (or the episode's) value; -1 marks an unknown dimension; [] for a scalar. */
  shape: number[];
  /** Image encoding ("jpeg" | "png"). */
  encodingFormat?: string;
  /** Tensor encoding ("none" unless TFDS serialized the tensor as bytes, which this reader does not support). */
  encoding?: string;
  /** Kept for the features.json this package writes. */
  description?: string;
}

const CLASS = {
  dict: "tensorflow_datasets.core.features.features_dict.FeaturesDict",
  dataset: "tensorflow_datasets.core.features.dataset_feature.Dataset",
  tensor: "tensorflow_datasets.core.features.tensor_feature.Tensor",
  scalar: "tensorflow_datasets.core.features.scalar.Scalar",
  image: "tensorflow_datasets.core.features.image_feature.Image",
  text: "tensorflow_datasets.core.features.text_feature.Text",
} as const;

/** How the values of `feature` are stored, or null for a tensor encoding this reader cannot read. */
export function storageOf(feature: FlatFeature): Storage | null {
  if (feature.kind !== "tensor") return "bytes";
  if (feature.encoding !== undefined && feature.encoding !== "none") return null;
  if (feature.dtype === "string") return "bytes";
  return /^float|^bfloat/.test(feature.dtype) ? "float" : "int64";
}

/** Values one step (or the episode) holds: images and texts one string each, tensors the product of their shape; null if unknown. */
export function valuesPerStep(feature: FlatFeature): number | null {
  if (feature.kind !== "tensor") return 1;
  let n = 1;
  for (const d of feature.shape) {
    if (d < 0) return null;
    n *= d;
  }
  return n;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Node = { [key: string]: Json };

/** Parses the feature tree of a TFDS features.json into flat features (in file order). */
export function parseFeatures(json: unknown, file: string): FlatFeature[] {
  const out: FlatFeature[] = [];
  const fail = (path: string, message: string): never => {
    throw new FormatError("RLDS_FEATURES", message, { file, field: path || "(root)" });
  };
  const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);
  const dims = (node: Json | undefined, path: string): number[] => {
    if (!isNode(node)) return fail(path, "shape must be an object");
    const list = node.dimensions ?? [];
    if (!Array.isArray(list)) return fail(path, "shape.dimensions must be a list");
    return list.map((d) => {
      const n = typeof d === "number" ? d : typeof d === "string" && /^-?\d+$/.test(d) ? Number(d) : NaN;
      return Number.isInteger(n) ? (n < 0 ? -1 : n) : fail(path, `dimension ${JSON.stringify(d)} is not an integer`);
    });
  };
  const visit = (node: unknown, path: string, scope: "step" | "episode"): void => {
    if (!isNode(node)) return fail(path, "feature node must be an object");
    const description = typeof node.description === "string" && node.description !== "" ? node.description : undefined;
    const leaf = (f: Omit<FlatFeature, "key" | "scope">): void => {
      out.push({ key: path, scope, ...f, ...(description ? { description } : {}) });
    };
    if (isNode(node.featuresDict)) {
      const features = node.featuresDict.features;
      if (!isNode(features)) return fail(path, "featuresDict.features must be an object");
      for (const [name, child] of Object.entries(features)) visit(child, path ? `${path}/${name}` : name, scope);
    } else if (isNode(node.sequence)) {
      if (scope === "step") return fail(path, "a sequence inside steps is not supported");
      visit(node.sequence.feature, path, "step");
    } else if (isNode(node.tensor)) {
      const t = node.tensor;
      leaf({ kind: "tensor", dtype: String(t.dtype ?? "float32"), shape: dims(t.shape ?? {}, path), encoding: String(t.encoding ?? "none") });
    } else if (isNode(node.image)) {
      const i = node.image;
      leaf({ kind: "image", dtype: String(i.dtype ?? "uint8"), shape: dims(i.shape ?? {}, path), encodingFormat: String(i.encodingFormat ?? "png") });
    } else if (isNode(node.text)) {
      leaf({ kind: "text", dtype: "string", shape: [] });
    } else if (isNode(node.classLabel)) {
      leaf({ kind: "tensor", dtype: "int64", shape: [], encoding: "none" });
    } else {
      fail(path, `unknown feature type (keys: ${Object.keys(node).join(", ")})`);
    }
  };
  visit(json, "", "episode");
  if (!out.some((f) => f.scope === "step")) fail("steps", "features.json has no steps sequence (is this an RLDS dataset?)");
  return out;
}

/** The features.json tree (TFDS layout) of flat features: the inverse of `parseFeatures`. */
export function featuresToJson(features: readonly FlatFeature[]): Node {
  const root: Node = { pythonClassName: CLASS.dict, featuresDict: { features: {} } };
  const steps: Node = { pythonClassName: CLASS.dict, featuresDict: { features: {} } };
  let stepsAdded = false;
  const insert = (tree: Node, parts: string[], leaf: Node): void => {
    let node = tree;
    for (const part of parts.slice(0, -1)) {
      const children = (node.featuresDict as Node).features as Node;
      children[part] ??= { pythonClassName: CLASS.dict, featuresDict: { features: {} } };
      node = children[part] as Node;
    }
    ((node.featuresDict as Node).features as Node)[parts[parts.length - 1] as string] = leaf;
  };
  for (const f of features) {
    const parts = f.key.split("/");
    if (f.scope === "step") {
      if (parts[0] !== "steps") throw new RangeError(`step feature ${f.key} must start with "steps/"`);
      if (!stepsAdded) {
        insert(root, ["steps"], { pythonClassName: CLASS.dataset, sequence: { feature: steps, length: "-1" } });
        stepsAdded = true;
      }
      insert(steps, parts.slice(1), leafJson(f));
    } else {
      insert(root, parts, leafJson(f));
    }
  }
  return root;
}

function leafJson(f: FlatFeature): Node {
  const description = f.description ?? "";
  const shape: Node = f.shape.length === 0 ? {} : { dimensions: f.shape.map(String) };
  if (f.kind === "image") return { pythonClassName: CLASS.image, image: { shape, dtype: f.dtype, encodingFormat: f.encodingFormat ?? "jpeg" }, description };
  if (f.kind === "text") return { pythonClassName: CLASS.text, text: {}, description };
  const cls = f.shape.length === 0 ? CLASS.scalar : CLASS.tensor;
  return { pythonClassName: cls, tensor: { shape, dtype: f.dtype, encoding: f.encoding ?? "none" }, description };
}
