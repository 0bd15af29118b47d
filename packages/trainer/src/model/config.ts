import { ConfigError } from "@cotrain/core";

/**
 * Sizes of the small VLA. Defaults train in minutes on 2 cores with the wasm backend (64×64 images, patch 8 →
 * 64 image tokens, width 96, 2 blocks).
 */
export interface ModelConfig {
  /** Input image height and width (the collator's output size). */
  imageSize: [number, number];
  /** Channels per pixel (3 × cameras when cameras are stacked along channels). */
  channels: number;
  /** Square patch side; imageSize must be divisible by it. */
  patchSize: number;
  /** Token vocabulary (the collator's tokenizer vocabulary, action tokens included). */
  vocabSize: number;
  /** Longest text sequence (learned text positions). */
  maxTextLen: number;
  /** Model width. */
  dim: number;
  layers: number;
  heads: number;
  /** MLP hidden width = mlpRatio × dim. */
  mlpRatio: number;
  /** continuous: an MLP head regresses the (normalized) action; tokens: the text head predicts action tokens. */
  actionMode: "continuous" | "tokens";
  /** Action dimension D (continuous mode). */
  actionDim: number;
  /** Chunk length H; 1 means single-step actions ([B, D] or [B, 1, D]). */
  actionHorizon: number;
  /** Hidden width of the action MLP. */
  actionHidden: number;
  /** Dropout after attention and MLP outputs (training only; masks drawn from the trainer's seeded Rng). */
  dropout: number;
  /**
   * LayerNorm on each input stream (image tokens after patch projection + positions, text tokens after embedding +
   * positions), as BERT does on its embeddings and CLIP's ViT before its blocks. Without it the image tokens start
   * ~30× larger than the text tokens (pixels are not centered, token embeddings start at std 0.02), and the words
   * of a question are drowned by the image in the first block.
   */
  inputNorm: boolean;
  /**
   * Add fixed 2-D sine-cosine positions (MAE's) to the image tokens, on top of the learned `image_pos`, each scaled
   * by how much its patch holds: min(1, RMS of the patch's pixels / 0.5). With pixels normalized by the table's
   * color, an empty table patch is ≈ 0 and stays silent (it adds nothing to what a text token reads), while objects
   * and the gripper say where they are from the first step: actions and "where" answers depend on it.
   */
  fixedImagePositions: boolean;
}

export const DEFAULT_MODEL: Omit<ModelConfig, "vocabSize"> = {
  imageSize: [64, 64],
  channels: 3,
  patchSize: 8,
  maxTextLen: 64,
  dim: 96,
  layers: 2,
  heads: 4,
  mlpRatio: 4,
  actionMode: "continuous",
  actionDim: 7,
  actionHorizon: 1,
  actionHidden: 128,
  dropout: 0,
  inputNorm: false,
  fixedImagePositions: false,
};

export type ModelOptions = Partial<ModelConfig> & { vocabSize: number };

function positiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError("BAD_MODEL", `\`model.${name}\` must be a positive integer, got ${JSON.stringify(value)}`, { field: `model.${name}` });
}

/** Fills defaults and validates; the result is what checkpoints record. */
export function resolveModelConfig(options: ModelOptions): ModelConfig {
  const c: ModelConfig = { ...DEFAULT_MODEL, ...options, imageSize: [...(options.imageSize ?? DEFAULT_MODEL.imageSize)] as [number, number] };
  for (const key of ["channels", "patchSize", "vocabSize", "maxTextLen", "dim", "layers", "heads", "mlpRatio", "actionDim", "actionHorizon", "actionHidden"] as const) {
    positiveInt(key, c[key]);
  }
  c.imageSize.forEach((v, i) => positiveInt(`imageSize[${i}]`, v));
  if (c.imageSize[0] % c.patchSize !== 0 || c.imageSize[1] % c.patchSize !== 0) {
    throw new ConfigError("BAD_MODEL", `\`model.imageSize\` ${c.imageSize.join("×")} must be divisible by \`model.patchSize\` ${c.patchSize}`, { field: "model.patchSize" });
  }
  if (c.dim % c.heads !== 0) throw new ConfigError("BAD_MODEL", `\`model.dim\` ${c.dim} must be divisible by \`model.heads\` ${c.heads}`, { field: "model.heads" });
  if (c.actionMode !== "continuous" && c.actionMode !== "tokens") {
    throw new ConfigError("BAD_MODEL", `\`model.actionMode\` must be "continuous" or "tokens", got ${JSON.stringify(c.actionMode)}`, { field: "model.actionMode" });
  }
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new ConfigError("BAD_MODEL", `\`model.dropout\` must be in [0, 1), got ${c.dropout}`, { field: "model.dropout" });
  return c;
}

/** Image tokens per sample. */
export function numPatches(c: ModelConfig): number {
  return (c.imageSize[0] / c.patchSize) * (c.imageSize[1] / c.patchSize);
}

/** Values per flattened patch (patch × patch × channels). */
export function patchDim(c: ModelConfig): number {
  return c.patchSize * c.patchSize * c.channels;
}
