/**
 * Sizes of the co-training experiment. The defaults finish in under 10 minutes on 2 cores with the wasm backend;
 * `quick` (CI's smoke test) in under 2. Every number is here so a reader sees the whole experiment at once.
 */
export interface DemoSizes {
  seed: number;
  robotEpisodes: number;
  vqaEntries: number;
  imageSize: number;
  /** Rows per training batch. */
  batchSize: number;
  /** VQA-only steps that make the "pretrained VLM". */
  pretrainSteps: number;
  /** Fine-tuning steps of each arm (robot only, co-trained), from the same checkpoint and seed. */
  finetuneSteps: number;
  /** Evaluation batches (of `batchSize`) per held-out set. */
  evalBatches: number;
  /** Web shares of the optional sweep (0 = robot only); empty: no sweep beyond the main arms (0 and 0.5). */
  sweep: number[];
  lr: number;
  model: { dim: number; layers: number; heads: number; patchSize: number };
}

/** The web shares `--sweep` fine-tunes with (issue 14): too little, 1:1 and too much web data. */
export const SWEEP_SHARES: readonly number[] = [0, 0.25, 0.5, 0.75];

export const DEFAULT_SIZES: DemoSizes = {
  seed: 0,
  robotEpisodes: 240,
  vqaEntries: 3000,
  imageSize: 64,
  batchSize: 32,
  pretrainSteps: 120,
  finetuneSteps: 60,
  evalBatches: 3,
  sweep: [],
  lr: 2e-3,
  model: { dim: 64, layers: 2, heads: 4, patchSize: 8 },
};

export const QUICK_SIZES: DemoSizes = {
  ...DEFAULT_SIZES,
  robotEpisodes: 40,
  vqaEntries: 400,
  batchSize: 16,
  pretrainSteps: 30,
  finetuneSteps: 20,
  evalBatches: 2,
  model: { dim: 48, layers: 1, heads: 4, patchSize: 8 },
};
