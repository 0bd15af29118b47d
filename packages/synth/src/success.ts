/**
 * Whether one predicted action moves the gripper towards what the instruction names, judged against the scripted
 * expert's action for the same step (unnormalized, in table units: see controller.ts).
 *
 * Why the expert's translation stands for "towards the named object": the expert is a proportional controller
 * towards a waypoint, and on every step where it moves sideways by a real amount that waypoint is the target
 * (pick, move), the spot just behind it (a push's approach), or the target itself pushed ahead of the fingers (the
 * push). It points within ~30° of the straight line to the target (each axis is clipped to 0.08 per step, which
 * bends long moves towards the diagonal; a test checks this on real episodes). Steps where it barely moves sideways (descending, gripping, lifting, holding still, the last millimetres of
 * an approach) say nothing about which object was meant, so they are not judged.
 */

/** dx and dy: the sideways translation of an action (ACTION_NAMES). */
const DX = 0;
const DY = 1;

/**
 * Sideways expert motion (per step, table units) below which a step is not judged: 5× the controller's per-axis
 * noise (0.004), a quarter of its largest step (0.08). Objects stand ≥ 0.22 apart (MIN_SEPARATION), so on such a
 * step the expert is heading for one object, not correcting its aim.
 */
export const DIRECTED_STEP = 0.02;

/**
 * A predicted step moves towards the target when its sideways direction is within 45° of the expert's: a random
 * direction passes with probability 1/4, and heading for another object of the scene fails unless that object
 * lies within 45° of the target as seen from the gripper.
 */
export const TOWARD_COSINE = Math.SQRT1_2;

/**
 * true: the prediction moves towards the target; false: it does not (another direction, or no sideways motion);
 * null: the expert's step carries no direction (see DIRECTED_STEP), so the step is not judged.
 */
export function movesTowardTarget(predicted: ArrayLike<number>, expert: ArrayLike<number>): boolean | null {
  const ex = expert[DX] as number;
  const ey = expert[DY] as number;
  const expertNorm = Math.hypot(ex, ey);
  if (!(expertNorm >= DIRECTED_STEP)) return null;
  const px = predicted[DX] as number;
  const py = predicted[DY] as number;
  const predictedNorm = Math.hypot(px, py);
  if (!(predictedNorm > 0)) return false;
  return (px * ex + py * ey) / (predictedNorm * expertNorm) >= TOWARD_COSINE;
}
