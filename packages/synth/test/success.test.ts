import { describe, expect, it } from "vitest";
import { DIRECTED_STEP, makeRobotEpisode, movesTowardTarget } from "@cotrain/synth";
import type { SceneObject } from "@cotrain/synth";

const action = (dx: number, dy: number): number[] => [dx, dy, 0.01, 0, 0, 0.05, 1];

describe("movesTowardTarget", () => {
  it("passes the expert's own action and fails its negation, a sideways move and standing still", () => {
    const expert = action(0.06, -0.03);
    expect(movesTowardTarget(expert, expert)).toBe(true);
    expect(movesTowardTarget(expert.map((v) => -v), expert)).toBe(false);
    expect(movesTowardTarget(action(0.03, 0.06), expert)).toBe(false); // 90° off
    expect(movesTowardTarget(action(0, 0), expert)).toBe(false);
    // within 45°: passes whatever its length; just beyond 45°: fails
    const angle = Math.atan2(-0.03, 0.06);
    const at = (deg: number, r: number) => action(r * Math.cos(angle + (deg * Math.PI) / 180), r * Math.sin(angle + (deg * Math.PI) / 180));
    expect(movesTowardTarget(at(44, 0.001), expert)).toBe(true);
    expect(movesTowardTarget(at(-44, 0.2), expert)).toBe(true);
    expect(movesTowardTarget(at(46, 0.05), expert)).toBe(false);
  });

  it("does not judge steps where the expert barely moves sideways", () => {
    expect(movesTowardTarget(action(0.05, 0), action(DIRECTED_STEP * 0.99, 0))).toBeNull();
    expect(movesTowardTarget(action(0.05, 0), [0, 0, -0.05, 0, 0, 0, 1])).toBeNull(); // descending
    expect(movesTowardTarget(action(0.05, 0), action(DIRECTED_STEP, 0))).toBe(true);
  });

  it("on real scripted episodes, judged steps head for the named object, and every episode has some", async () => {
    let judged = 0;
    for (const split of ["eval", "zeroshot"] as const) {
      for (let index = 0; index < 30; index++) {
        const { task, trajectory } = await makeRobotEpisode({ seed: 5, split, index, size: 16 });
        let directed = 0;
        for (let t = 0; t < trajectory.length; t++) {
          const expert = trajectory.actions.subarray(t * 7, t * 7 + 7);
          if (movesTowardTarget(expert, expert) === null) continue;
          directed++;
          // Before the expert reaches the target, its sideways step points at the target object as it stands then,
          // within ~30° (the controller clips each axis to 0.08, which bends long moves towards the diagonal).
          const view = trajectory.views[t]!;
          const target = view.objects[task.target] as SceneObject;
          const [gx, gy] = [view.gripper.x, view.gripper.y];
          const distance = Math.hypot(target.x - gx, target.y - gy);
          if (task.kind === "push" || distance < 0.05) continue; // a push aims behind the object, then drives it
          const cosine = ((target.x - gx) * expert[0]! + (target.y - gy) * expert[1]!) / (distance * Math.hypot(expert[0]!, expert[1]!));
          expect(cosine, `${split} ${index} step ${t}`).toBeGreaterThan(0.85);
        }
        expect(directed, `${split} ${index}`).toBeGreaterThan(0);
        judged += directed;
      }
    }
    expect(judged).toBeGreaterThan(24);
  });
});
