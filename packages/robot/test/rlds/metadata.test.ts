import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FormatError } from "@cotrain/core";
import { DROID_FEATURES, featuresToJson, parseFeatures, readDatasetInfo, shardFiles, valuesPerStep } from "@cotrain/robot";
import { tmp } from "./fixtures.js";

// A features.json as TFDS writes it (abridged from a published RLDS dataset): strings for dimensions, "-1" for an
// unknown one, Scalars with an empty shape, Text, nested FeaturesDicts.
const tfdsFeatures = {
  pythonClassName: "tensorflow_datasets.core.features.features_dict.FeaturesDict",
  featuresDict: {
    features: {
      steps: {
        pythonClassName: "tensorflow_datasets.core.features.dataset_feature.Dataset",
        sequence: {
          feature: {
            pythonClassName: "tensorflow_datasets.core.features.features_dict.FeaturesDict",
            featuresDict: {
              features: {
                is_first: { pythonClassName: "tensorflow_datasets.core.features.scalar.Scalar", tensor: { shape: {}, dtype: "bool", encoding: "none" }, description: "" },
                action: { pythonClassName: "tensorflow_datasets.core.features.tensor_feature.Tensor", tensor: { shape: { dimensions: ["7"] }, dtype: "float64", encoding: "none" }, description: "Robot action" },
                points: { pythonClassName: "tensorflow_datasets.core.features.tensor_feature.Tensor", tensor: { shape: { dimensions: ["-1", "3"] }, dtype: "float32", encoding: "none" } },
                language_instruction: { pythonClassName: "tensorflow_datasets.core.features.text_feature.Text", text: {}, description: "Language Instruction." },
                observation: {
                  pythonClassName: "tensorflow_datasets.core.features.features_dict.FeaturesDict",
                  featuresDict: { features: { wrist: { pythonClassName: "tensorflow_datasets.core.features.image_feature.Image", image: { shape: { dimensions: ["180", "320", "3"] }, dtype: "uint8", encodingFormat: "jpeg" } } } },
                },
              },
            },
          },
          length: "-1",
        },
      },
      episode_metadata: {
        pythonClassName: "tensorflow_datasets.core.features.features_dict.FeaturesDict",
        featuresDict: { features: { file_path: { pythonClassName: "tensorflow_datasets.core.features.text_feature.Text", text: {} } } },
      },
    },
  },
};

describe("features.json", () => {
  it("flattens the TFDS feature tree into Example keys with shapes and storage", () => {
    const flat = parseFeatures(tfdsFeatures, "features.json");
    expect(flat.map((f) => [f.key, f.scope, f.kind, f.dtype, f.shape])).toEqual([
      ["steps/is_first", "step", "tensor", "bool", []],
      ["steps/action", "step", "tensor", "float64", [7]],
      ["steps/points", "step", "tensor", "float32", [-1, 3]],
      ["steps/language_instruction", "step", "text", "string", []],
      ["steps/observation/wrist", "step", "image", "uint8", [180, 320, 3]],
      ["episode_metadata/file_path", "episode", "text", "string", []],
    ]);
    expect(flat.map(valuesPerStep)).toEqual([1, 7, null, 1, 1, 1]);
  });

  it("writes the same tree back (featuresToJson ∘ parseFeatures is the identity on the leaves)", () => {
    const flat = parseFeatures(tfdsFeatures, "a");
    expect(parseFeatures(featuresToJson(flat), "b")).toEqual(flat);
    const summary = (fs: readonly { key: string; kind: string; dtype: string; shape: number[] }[]): string[] => fs.map((f) => `${f.key} ${f.kind} ${f.dtype} [${f.shape}]`).sort();
    expect(summary(parseFeatures(featuresToJson([...DROID_FEATURES]), "c"))).toEqual(summary(DROID_FEATURES));
  });

  it("rejects a malformed tree naming the path", () => {
    const bad = JSON.parse(JSON.stringify(tfdsFeatures));
    bad.featuresDict.features.steps.sequence.feature.featuresDict.features.action.tensor.shape.dimensions = ["seven"];
    expect(() => parseFeatures(bad, "features.json")).toThrow(expect.objectContaining({ constructor: FormatError, code: "RLDS_FEATURES", file: "features.json", field: "steps/action" }));
  });
});

describe("dataset_info.json", () => {
  it("reads splits with string counts and resolves shard file names from the template", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "dataset_info.json"), JSON.stringify({
      name: "droid", version: "1.0.1", moduleName: "x", fileFormat: "tfrecord",
      splits: [
        { name: "train", numBytes: "1234", shardLengths: ["3", "0", "2"], filepathTemplate: "{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}" },
        { name: "val", shardLengths: ["4"], filepathTemplate: "{DATASET}-{SPLIT}-{SHARD_INDEX}.{FILEFORMAT}" },
      ],
    }));
    const info = await readDatasetInfo(dir);
    expect(info).toMatchObject({ name: "droid", version: "1.0.1", extra: { moduleName: "x" } });
    expect(info.splits[0]).toEqual({ name: "train", numBytes: 1234, shardLengths: [3, 0, 2], filepathTemplate: "{DATASET}-{SPLIT}.{FILEFORMAT}-{SHARD_X_OF_Y}" });
    expect(shardFiles(dir, info, "train").map((f) => [f.name, f.length, f.firstEpisode])).toEqual([
      ["droid-train.tfrecord-00000-of-00003", 3, 0],
      ["droid-train.tfrecord-00001-of-00003", 0, 3],
      ["droid-train.tfrecord-00002-of-00003", 2, 3],
    ]);
    expect(shardFiles(dir, info, "val")[0]!.name).toBe("droid-val-00000.tfrecord");
    expect(() => shardFiles(dir, info, "test")).toThrow(expect.objectContaining({ code: "RLDS_SPLIT_MISSING" }));
  });

  it("names the bad field of a malformed file", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "dataset_info.json"), JSON.stringify({ name: "x", splits: [{ name: "train", shardLengths: ["1", "two"] }] }));
    await expect(readDatasetInfo(dir)).rejects.toMatchObject({ code: "RLDS_INFO_FIELD", field: "splits[0].shardLengths[1]" });
    await expect(readDatasetInfo(tmp())).rejects.toMatchObject({ code: "RLDS_INFO_MISSING" });
  });
});
