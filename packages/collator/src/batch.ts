/**
 * The training batch: typed arrays only, no tensors, so the collator needs no TensorFlow and the trainer owns
 * every tensor it makes (it creates them from these arrays and disposes them after the step).
 *
 * Conventions:
 * - `labels` are aligned with `inputIds` (Hugging Face style): `labels[b,t] = inputIds[b,t]` where token t is
 *   trained, `IGNORE_INDEX` (-100) elsewhere. The model shifts: logits at position t-1 predict label t.
 * - `actions` is [B, D] for single-step actions or [B, H, D] for chunks; `actionMask` is [B] or [B, H]:
 *   1 on real robot entries, 0 on web rows and on padded chunk entries. Web rows hold zeros in `actions`.
 * - `pixels` is NHWC Float32 [B, H, W, C]; several cameras stacked along channels make C = 3 × cameras.
 */
export const IGNORE_INDEX = -100;

export const KIND_ROBOT = 0;
export const KIND_VQA = 1;

export interface Batch {
  /** Rows (B). */
  size: number;
  /** Sequence length after padding (T). */
  seqLen: number;
  pixels: Float32Array;
  /** [B, H, W, C]. */
  pixelShape: [number, number, number, number];
  inputIds: Int32Array;
  /** [B, T]: 1 on real tokens, 0 on padding. */
  attentionMask: Int32Array;
  labels: Int32Array;
  actions: Float32Array;
  /** [B, D] or [B, H, D]. */
  actionShape: number[];
  actionMask: Float32Array;
  /** [B] or [B, H]. */
  actionMaskShape: number[];
  /** Per row: KIND_ROBOT or KIND_VQA. */
  kinds: Uint8Array;
  /** Per row: index into `sourceNames`. */
  sources: Int32Array;
  sourceNames: string[];
  sampleIds: string[];
  /** Number of labels ≠ IGNORE_INDEX: the text loss averages over exactly these. */
  numTrainedTokens: number;
  /** Rows with any action mask 1. */
  numActionRows: number;
  /** Action mask entries equal to 1 (rows × real chunk steps): the action loss averages over these × D. */
  numActionEntries: number;
  // ---- added by the collator (beyond the lead's first contract) ----
  /** Trained text tokens per row [B] (labels ≠ IGNORE_INDEX), for per-source text losses. */
  trainedPerRow: Int32Array;
  /** [B]: 1 where the row had at least one image (web rows may have none: their pixels are zeros). */
  hasImage: Uint8Array;
  /** [B, K]: 1 where camera slot k held a real image (K = cameras stacked, 1 otherwise); missing ones are zeros. */
  imageMask: Uint8Array;
  /** How robot actions appear: "continuous" (regression target), "tokens" (in `labels`; `actions` still holds the
   * continuous values for metrics) or "none". */
  actionFormat: ActionFormat;
  /** Ids in `inputIds`/`labels` are < vocabSize (text vocabulary, plus appended action tokens if any). */
  vocabSize: number;
}

export type ActionFormat = "continuous" | "tokens" | "none";
