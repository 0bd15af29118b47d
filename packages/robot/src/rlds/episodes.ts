import type { Episode } from "../episode.js";
import { EpisodeCursor } from "./cursor.js";
import { openRldsDataset } from "./dataset.js";
import type { RldsDataset } from "./dataset.js";
import { imageValidation, nonNegativeInteger, onErrorOption } from "./options.js";
import type { RldsReadOptions } from "./options.js";

/** The episodes of an RLDS dataset, whole, in one pass (shuffled or not, one epoch). */
export interface RldsEpisodes extends AsyncIterable<Episode> {
  readonly dataset: RldsDataset;
  /** Episodes skipped under `onError: "skip"`, by error code, so far. */
  skipped(): Record<string, number>;
}

/**
 * Reads episodes as they are stored, with their extras (e.g. DROID's action_dict and joint positions), alternate
 * instructions, RLDS flags and episode metadata: for conversion (`writeLeRobot(dir, readRldsEpisodes(src))`),
 * statistics (`computeStats(readRldsEpisodes(src))`, which skips building rows) and inspection. Memory holds one
 * episode at a time.
 */
export async function readRldsEpisodes(dir: string, options: RldsReadOptions & { epoch?: number } = {}): Promise<RldsEpisodes> {
  const dataset = await openRldsDataset(dir, options);
  const cursor = new EpisodeCursor(dataset, {
    shuffle: options.shuffleEpisodes ?? false,
    seed: nonNegativeInteger("seed", options.seed ?? 0),
    onError: onErrorOption(options.onError),
    decode: { images: imageValidation(options.validateImages), extras: true },
  });
  const epoch = nonNegativeInteger("epoch", options.epoch ?? 0);
  return {
    dataset,
    skipped: () => ({ ...cursor.skipped }),
    async *[Symbol.asyncIterator]() {
      await cursor.startEpoch(epoch);
      try {
        for (let got = await cursor.next(); got !== null; got = await cursor.next()) yield got.episode;
      } finally {
        await cursor.close();
      }
    },
  };
}
