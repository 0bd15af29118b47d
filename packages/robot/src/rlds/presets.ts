import type { FlatFeature } from "./features.js";
import type { RldsMapping } from "./mapping.js";

export type RldsPreset = "bridge" | "droid";

/** DROID choices: which recorded signal becomes the action, and which the state. */
export interface DroidPresetOptions {
  /**
   * "action" (default): the published `action`, 6 joint velocities + gripper position.
   * "cartesian": absolute end-effector pose + gripper from `action_dict` (cartesian_position + gripper_position),
   * the action OpenVLA trains DROID on.
   */
  action?: "action" | "cartesian";
  /** "cartesian" (default): cartesian_position + gripper_position (7); "joint": joint_position + gripper_position (8). */
  state?: "cartesian" | "joint";
}

const tensor = (key: string, dtype: string, shape: number[], description = ""): FlatFeature => ({ key, scope: "step", kind: "tensor", dtype, shape, encoding: "none", description });
const image = (key: string, shape: number[], description = ""): FlatFeature => ({ key, scope: "step", kind: "image", dtype: "uint8", shape, encodingFormat: "jpeg", description });
const text = (key: string, scope: "step" | "episode", description = ""): FlatFeature => ({ key, scope, kind: "text", dtype: "string", shape: [], description });
const meta = (key: string, dtype: string, description = ""): FlatFeature => ({ key, scope: "episode", kind: "tensor", dtype, shape: [], encoding: "none", description });

const RLDS_FLAGS: FlatFeature[] = [
  tensor("steps/is_first", "bool", [], "True on first step of the episode."),
  tensor("steps/is_last", "bool", [], "True on last step of the episode."),
  tensor("steps/is_terminal", "bool", [], "True on last step of the episode if it is a terminal step, True for demos."),
  tensor("steps/reward", "float32", [], "Reward if provided, 1 on final step for demos."),
  tensor("steps/discount", "float32", [], "Discount if provided, default to 1."),
];

/** The feature tree of Bridge V2 as published in RLDS (OXE `bridge`, OpenVLA `bridge_orig`). */
export const BRIDGE_FEATURES: readonly FlatFeature[] = [
  ...[0, 1, 2, 3].map((k) => image(`steps/observation/image_${k}`, [256, 256, 3], k === 0 ? "Main camera RGB observation (fixed position)." : `Alternative camera RGB observation ${k}.`)),
  tensor("steps/observation/state", "float32", [7], "Robot end effector state, consists of [3x XYZ, 3x roll-pitch-yaw, 1x gripper]"),
  tensor("steps/action", "float32", [7], "Robot action, consists of [3x delta XYZ, 3x delta roll-pitch-yaw, 1x gripper open/close]."),
  text("steps/language_instruction", "step", "Language Instruction."),
  tensor("steps/language_embedding", "float32", [512], "Kona language embedding. See https://tfhub.dev/google/universal-sentence-encoder-large/5"),
  ...RLDS_FLAGS,
  text("episode_metadata/file_path", "episode", "Path to the original data file."),
  meta("episode_metadata/episode_id", "int32", "ID of episode in file_path."),
  ...[0, 1, 2, 3].map((k) => meta(`episode_metadata/has_image_${k}`, "bool", `True if image${k} exists in observation, otherwise dummy value.`)),
  meta("episode_metadata/has_language", "bool", "True if language exists in observation, otherwise empty string."),
];

const DROID_CAMERAS = ["exterior_image_1_left", "exterior_image_2_left", "wrist_image_left"];
const DROID_NUMERIC: [string, number][] = [
  ["action", 7],
  ["action_dict/cartesian_position", 6],
  ["action_dict/cartesian_velocity", 6],
  ["action_dict/gripper_position", 1],
  ["action_dict/gripper_velocity", 1],
  ["action_dict/joint_position", 7],
  ["action_dict/joint_velocity", 7],
  ["observation/cartesian_position", 6],
  ["observation/gripper_position", 1],
  ["observation/joint_position", 7],
];

/** The feature tree of DROID 1.0.x as published in RLDS. */
export const DROID_FEATURES: readonly FlatFeature[] = [
  ...DROID_CAMERAS.map((c) => image(`steps/observation/${c}`, [180, 320, 3], c.startsWith("wrist") ? "Wrist camera RGB left viewpoint" : `Exterior camera ${c[15]} left viewpoint`)),
  ...DROID_NUMERIC.map(([k, n]) => tensor(`steps/${k}`, "float64", [n], k === "action" ? "Robot action, consists of [6x joint velocities, 1x gripper position]." : "")),
  text("steps/language_instruction", "step", "Language Instruction."),
  text("steps/language_instruction_2", "step", "Alternative Language Instruction."),
  text("steps/language_instruction_3", "step", "Alternative Language Instruction."),
  tensor("steps/language_embedding", "float32", [512], "Kona language embedding. See https://tfhub.dev/google/universal-sentence-encoder-large/5"),
  tensor("steps/language_embedding_2", "float32", [512], "Alternative Kona language embedding."),
  tensor("steps/language_embedding_3", "float32", [512], "Alternative Kona language embedding."),
  ...RLDS_FLAGS,
  text("episode_metadata/file_path", "episode", "Path to the original data file."),
  text("episode_metadata/recording_folderpath", "episode", "Path to the folder of recordings."),
];

/** The mapping a preset stands for. */
export function presetMapping(preset: RldsPreset, droid: DroidPresetOptions = {}): RldsMapping {
  if (preset === "bridge") {
    return { cameras: [0, 1, 2, 3].map((k) => `observation/image_${k}`), action: ["action"], state: ["observation/state"], instruction: ["language_instruction"], extras: [] };
  }
  if (preset !== "droid") throw new RangeError(`preset must be "bridge" or "droid", got ${JSON.stringify(preset)}`);
  const actionChoice = droid.action ?? "action";
  const stateChoice = droid.state ?? "cartesian";
  if (actionChoice !== "action" && actionChoice !== "cartesian") throw new RangeError(`droid.action must be "action" or "cartesian", got ${JSON.stringify(actionChoice)}`);
  if (stateChoice !== "cartesian" && stateChoice !== "joint") throw new RangeError(`droid.state must be "cartesian" or "joint", got ${JSON.stringify(stateChoice)}`);
  const action = actionChoice === "action" ? ["action"] : ["action_dict/cartesian_position", "action_dict/gripper_position"];
  const state = [stateChoice === "cartesian" ? "observation/cartesian_position" : "observation/joint_position", "observation/gripper_position"];
  const used = new Set([...action, ...state]);
  const extras = DROID_NUMERIC.map(([k]) => k).filter((k) => !used.has(k));
  const alternates = ["language_instruction_2", "language_instruction_3"];
  return {
    cameras: DROID_CAMERAS.map((c) => `observation/${c}`),
    action,
    state,
    instruction: ["language_instruction", ...alternates],
    extras,
    // Early DROID releases lack some of these; a preset reads what is there.
    optional: [...alternates, ...extras],
  };
}

export function presetFeatures(preset: RldsPreset): readonly FlatFeature[] {
  return preset === "bridge" ? BRIDGE_FEATURES : DROID_FEATURES;
}
