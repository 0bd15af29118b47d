import type { RowInput } from "@cotrain/core";
import { ValueError } from "@cotrain/core";

/**
 * One robot episode in memory, the meeting point of every robot format: readers decode into it, writers encode
 * from it, and `episodeToRows` turns it into canonical rows (one per step).
 */
export interface Episode {
  /** The dataset name that becomes the canonical `source` column. */
  source: string;
  /** 0-based index of the episode in its dataset. */
  index: number;
  /** A stable id: the RLDS `episode_metadata/file_path`, or `episode_000042` for LeRobot. */
  id: string;
  /** Number of steps. */
  length: number;
  /** Per camera, one encoded image (JPEG/PNG bytes) per step. Order is the canonical camera order. */
  cameras: { name: string; frames: Uint8Array[] }[];
  /** length × actionDim values, row-major. */
  actions: Float32Array;
  actionDim: number;
  /** length × stateDim values, or null when the dataset has no proprio state. */
  states: Float32Array | null;
  stateDim: number;
  /** The language instruction of each step (RLDS stores one per step; usually all equal). */
  instructions: string[];
  /**
   * Alternative phrasings of the instruction, per dataset key, one string per step (DROID's language_instruction_2
   * and _3). Readers keep them here; `episodeToRows` uses `instructions` only.
   */
  alternateInstructions?: Record<string, string[]>;
  /** Extra named per-step tensors the preset keeps (DROID's action_dict, joint positions, …), length × dim. */
  extras?: Record<string, { dim: number; values: Float32Array }>;
  /** Extra episode-level strings (RLDS episode_metadata/*). */
  metadata?: Record<string, string>;
  isFirst?: boolean[];
  isLast?: boolean[];
  isTerminal?: boolean[];
  rewards?: Float32Array;
  discounts?: Float32Array;
}

export interface EpisodeToRowsOptions {
  /** Each step carries the next H actions (H×D, padded at the end with the last action; `action_is_pad` marks pads). */
  chunk?: number;
  /** Steps per episode to emit, starting at this step (used by readers that resume mid-episode). */
  fromStep?: number;
}

/** The canonical rows of an episode: one per step, the instruction as the user turn. */
export function episodeToRows(episode: Episode, options: EpisodeToRowsOptions = {}): RowInput[] {
  const { length, actionDim: d, stateDim } = episode;
  const chunk = options.chunk ?? 0;
  if (!Number.isInteger(chunk) || chunk < 0) throw new RangeError(`chunk must be a non-negative integer, got ${chunk}`);
  if (episode.actions.length !== length * d) {
    throw new ValueError("EPISODE_SHAPE", `actions hold ${episode.actions.length} values, expected ${length} steps × ${d}`, { id: episode.id, row: episode.index, field: "action" });
  }
  const rows: RowInput[] = [];
  for (let t = options.fromStep ?? 0; t < length; t++) {
    let action: Float32Array;
    let isPad: boolean[] | null = null;
    if (chunk > 0) {
      action = new Float32Array(chunk * d);
      isPad = [];
      for (let h = 0; h < chunk; h++) {
        const src = Math.min(t + h, length - 1);
        action.set(episode.actions.subarray(src * d, src * d + d), h * d);
        isPad.push(t + h >= length);
      }
    } else {
      action = episode.actions.subarray(t * d, t * d + d);
    }
    const instruction = episode.instructions[t] ?? episode.instructions[0] ?? "";
    rows.push({
      source: episode.source,
      kind: "robot",
      sample_id: `${episode.id}#${t}`,
      images: episode.cameras.map((c) => c.frames[t] as Uint8Array),
      cameras: episode.cameras.map((c) => c.name),
      messages: [{ role: "user", content: instruction }],
      action,
      action_is_pad: isPad,
      state: episode.states ? episode.states.subarray(t * stateDim, t * stateDim + stateDim) : null,
      episode_index: episode.index,
      step_index: t,
      is_first: episode.isFirst?.[t] ?? t === 0,
      is_last: episode.isLast?.[t] ?? t === length - 1,
    });
  }
  return rows;
}
