import { Binary, Bool, Field, Float32, Int32, List, Schema, Struct, Utf8 } from "apache-arrow";

/**
 * The canonical row: one training sample, robot or web. Every stage between the readers and the collator speaks
 * RecordBatches of this schema (more columns may follow these).
 *
 * Choices made here, and why:
 * - `source` is plain Utf8, not a dictionary: the mixer concatenates slices from several sources into one batch,
 *   and one Arrow column chunk can hold only one dictionary.
 * - `action` and `state` are List<Float32>, not FixedSizeList: one mixture may hold datasets of different action
 *   sizes. A chunk of H actions is stored flattened row-major (H×D) with `action_is_pad` holding H flags, so D is
 *   `action.length / action_is_pad.length`; an unchunked action has `action_is_pad` null.
 * - camera names travel per row in `cameras` (parallel to `images`), because rows of different datasets with
 *   different cameras meet in one batch, where schema metadata could name only one set.
 * - `images`, `cameras` and `messages` are never null (empty lists instead); `action`, `state` and the episode
 *   columns are null on web rows and never empty lists.
 */
export const COLUMN = {
  source: "source",
  kind: "kind",
  sampleId: "sample_id",
  images: "images",
  cameras: "cameras",
  messages: "messages",
  action: "action",
  actionIsPad: "action_is_pad",
  state: "state",
  episodeIndex: "episode_index",
  stepIndex: "step_index",
  isFirst: "is_first",
  isLast: "is_last",
} as const;

export const MESSAGE_TYPE = new Struct([new Field("role", new Utf8(), false), new Field("content", new Utf8(), false)]);

export const CANONICAL_FIELDS = [
  new Field(COLUMN.source, new Utf8(), false),
  new Field(COLUMN.kind, new Utf8(), false),
  new Field(COLUMN.sampleId, new Utf8(), false),
  new Field(COLUMN.images, new List(new Field("item", new Binary(), false)), false),
  new Field(COLUMN.cameras, new List(new Field("item", new Utf8(), false)), false),
  new Field(COLUMN.messages, new List(new Field("item", MESSAGE_TYPE, false)), false),
  new Field(COLUMN.action, new List(new Field("item", new Float32(), false)), true),
  new Field(COLUMN.actionIsPad, new List(new Field("item", new Bool(), false)), true),
  new Field(COLUMN.state, new List(new Field("item", new Float32(), false)), true),
  new Field(COLUMN.episodeIndex, new Int32(), true),
  new Field(COLUMN.stepIndex, new Int32(), true),
  new Field(COLUMN.isFirst, new Bool(), true),
  new Field(COLUMN.isLast, new Bool(), true),
] as const;

export const CANONICAL_SCHEMA_VERSION = "1";

export const CANONICAL_SCHEMA = new Schema([...CANONICAL_FIELDS], new Map([["cotrain.schema_version", CANONICAL_SCHEMA_VERSION]]));

export type SampleKind = "robot" | "vqa";
export type Role = "system" | "user" | "assistant";

export interface Message {
  role: Role;
  content: string;
}

/** A canonical row as plain values; binary and float columns are zero-copy views when read from a batch. */
export interface CanonicalRow {
  source: string;
  kind: SampleKind;
  sample_id: string;
  images: Uint8Array[];
  cameras: string[];
  messages: Message[];
  action: Float32Array | null;
  action_is_pad: boolean[] | null;
  state: Float32Array | null;
  episode_index: number | null;
  step_index: number | null;
  is_first: boolean | null;
  is_last: boolean | null;
}

/** What a writer may pass: the required identity columns, everything else optional (null / empty by default). */
export type RowInput = Pick<CanonicalRow, "source" | "kind" | "sample_id"> &
  Partial<Omit<CanonicalRow, "source" | "kind" | "sample_id" | "action" | "state">> & {
    action?: ArrayLike<number> | null;
    state?: ArrayLike<number> | null;
  };
