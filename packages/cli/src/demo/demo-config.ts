/**
 * Sizes of the co-training experiment. The defaults finish in about 10 minutes on 2 cores with the wasm backend;
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

/**
 * The pretraining must be long enough for the model to read the image at all: it first learns what the text alone
 * answers (categories), and starts using the picture only after about 500–1,000 steps; with fewer distinct scenes
 * than 20,000 it then memorises them (issue 14 probes: held out 0.70 from 2,700 entries, 0.75 from 20,000, at 2,500
 * steps). Patch 16 is one patch per object cell of the 64×64 scene (synth's scene.ts). A default run takes about
 * 10 minutes on 2 cores (root README). Fine-tuning takes 300 steps per arm: with 60, the action-tokens arm had not
 * learnt its actions yet (MSE 0.52 against 0.10 for the continuous head) and robot-only forgetting was 0.18 (cli
 * README).
 */
export const DEFAULT_SIZES: DemoSizes = {
  seed: 0,
  robotEpisodes: 240,
  vqaEntries: 20000,
  imageSize: 64,
  batchSize: 32,
  pretrainSteps: 2000,
  finetuneSteps: 300,
  evalBatches: 3,
  sweep: [],
  lr: 3e-3,
  model: { dim: 64, layers: 2, heads: 4, patchSize: 16 },
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
