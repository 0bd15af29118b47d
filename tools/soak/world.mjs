// The soak's input: the built-in sample world (@cotrain/synth), and a training config over it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateWorld, SYNTH_RLDS_MAPPING } from "@cotrain/synth";

/** Sizes: `full` for `npm run soak`, `small` for the test that runs in `npm test`. */
export const SIZES = {
  full: { robotEpisodes: 48, vqaEntries: 240, steps: 90, maxRows: 29 },
  small: { robotEpisodes: 16, vqaEntries: 60, steps: 40, maxRows: 13 },
};

/** Writes the world (RLDS + LLaVA, 32×32 images) into `dir/world` and returns its summary and paths. */
export async function makeWorld(dir, size, seed) {
  const root = join(dir, "world");
  const summary = await generateWorld(root, { seed, robotEpisodes: size.robotEpisodes, zeroShotEpisodes: 1, vqaEntries: size.vqaEntries, evalFraction: 0.1, imageSize: 32, formats: ["rlds", "llava"] });
  const rlds = join(root, summary.layout.rlds.dir);
  return { root, summary, rlds, llava: join(root, summary.layout.llava.json.train) };
}

/**
 * A small co-training run over the world: RLDS steps (episodes shuffled per epoch) and LLaVA entries mixed 1:1,
 * repeated over epochs; a tiny model on wasm; a checkpoint after every step (the resume points a kill falls
 * between) and samples.jsonl (what each step consumed).
 */
export function writeTrainConfig(world, size, path) {
  const config = {
    sources: {
      robot: { format: "rlds", path: world.rlds, options: { mapping: SYNTH_RLDS_MAPPING, batchSize: 8, shuffleEpisodes: true, seed: 3 }, normalize: { action: "q01_q99", keepGripper: true } },
      web: { format: "llava", path: world.llava, options: { batchSize: 8 } },
    },
    mixture: { weights: { robot: 1, web: 1 }, batchSize: 8, seed: 1, stop: "all_exhausted" },
    collator: { tokenizer: "byte", template: "openvla", actions: { type: "continuous", dim: 7 }, image: { size: 16 }, maxLength: 64, padding: "max" },
    model: { patchSize: 8, dim: 16, layers: 1, heads: 2, mlpRatio: 2, actionHidden: 16, dropout: 0.1 },
    train: { steps: size.steps, seed: 0, backend: "wasm", optimizer: { lr: 0.01, warmupSteps: 1 }, progress: "none", checkpointEvery: 1, keepCheckpoints: 2, logSampleIds: true },
  };
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}
