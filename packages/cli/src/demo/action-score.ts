import type { ActionPredictions } from "@cotrain/trainer";
import { movesTowardTarget } from "@cotrain/synth";

/**
 * Held-out action quality of one arm on one robot split: the MSE of the normalized action, and the success rate
 * of its episodes judged the way a robot would be: does the predicted action move the gripper towards the object
 * the instruction names (`movesTowardTarget` in @cotrain/synth, on unnormalized actions).
 *
 * An episode succeeds when more than half of its judged steps (those where the expert moves sideways by a real
 * amount: the approach and the push) move towards the target. Open loop: each step starts from the recorded
 * state, so this judges the choice of object and direction, not a closed-loop rollout.
 */
export interface ActionScore {
  /** Mean squared error over masked-in entries of the normalized ([-1, 1]) actions; null without robot rows. */
  mse: number | null;
  /** Episodes with at least one judged step, and how many of them succeeded. */
  episodes: number;
  successes: number;
  /** successes / episodes; null when no episode had a judged step. */
  successRate: number | null;
  /** Judged steps over all episodes, and the share of them that moved towards the target. */
  judgedSteps: number;
  stepSuccessRate: number | null;
}

/** The episode a robot sample belongs to: robot sample ids are `<episode id>#<step>` (see @cotrain/robot). */
export function episodeOfSample(sampleId: string): string {
  const hash = sampleId.lastIndexOf("#");
  return hash < 0 ? sampleId : sampleId.slice(0, hash);
}

/**
 * Scores predictions (from `predictActions`) of single-step actions. `unnormalize` maps normalized actions back to
 * the world's units, where the success criterion is defined.
 */
export function scoreActions(batches: Iterable<ActionPredictions>, unnormalize: (values: Float32Array) => Float32Array): ActionScore {
  let sq = 0;
  let entries = 0;
  const perEpisode = new Map<string, { judged: number; toward: number }>();
  for (const p of batches) {
    const rows = p.sampleIds.length;
    const H = p.mask.length / rows;
    if (H !== 1) throw new RangeError(`scoreActions judges single-step actions; these predictions hold chunks of ${H} steps`);
    for (let r = 0; r < rows; r++) {
      if (p.mask[r] === 0) continue;
      const predicted = p.predicted.subarray(r * p.width, (r + 1) * p.width);
      const expert = p.expert.subarray(r * p.width, (r + 1) * p.width);
      for (let d = 0; d < p.width; d++) sq += ((predicted[d] as number) - (expert[d] as number)) ** 2;
      entries += p.width;
      const outcome = movesTowardTarget(unnormalize(predicted), unnormalize(expert));
      if (outcome === null) continue;
      const episode = episodeOfSample(p.sampleIds[r] as string);
      const e = perEpisode.get(episode) ?? { judged: 0, toward: 0 };
      e.judged++;
      if (outcome) e.toward++;
      perEpisode.set(episode, e);
    }
  }
  let successes = 0;
  let judgedSteps = 0;
  let toward = 0;
  for (const e of perEpisode.values()) {
    if (e.toward > e.judged / 2) successes++;
    judgedSteps += e.judged;
    toward += e.toward;
  }
  const episodes = perEpisode.size;
  return {
    mse: entries > 0 ? sq / entries : null,
    episodes,
    successes,
    successRate: episodes > 0 ? successes / episodes : null,
    judgedSteps,
    stepSuccessRate: judgedSteps > 0 ? toward / judgedSteps : null,
  };
}
