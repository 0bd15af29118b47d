import { describe, expect, it } from "vitest";
import { decodeImage } from "@cotrain/vision";
import { DIRECTIONS, GRASP_Z, HOVER_Z, LIFT_Z, MAX_STEPS, MIN_STEPS, OBJECT_KINDS, PUSH_DISTANCE, ROBOT_TYPES, WEB_ONLY_TYPES, makeRobotEpisode, robotEpisodeSetup } from "@cotrain/synth";
import type { RobotSample, RobotSplit } from "@cotrain/synth";

const CATEGORY = new Map(OBJECT_KINDS.map((k) => [k.type, k.category]));

const made = new Map<string, Promise<RobotSample>>();

/** Episodes 0..n-1 of a split, made once per (seed, split, index) for the whole file. */
async function samples(split: RobotSplit, n: number, seed = 3): Promise<RobotSample[]> {
  return Promise.all(
    Array.from({ length: n }, (_, index) => {
      const key = `${seed}/${split}/${index}`;
      if (!made.has(key)) made.set(key, makeRobotEpisode({ seed, split, index, size: 16 }));
      return made.get(key) as Promise<RobotSample>;
    }),
  );
}

/** The gripper pose after the last action: the first state plus the sum of every action. */
function endPose(s: RobotSample): number[] {
  const { actions, states, length } = s.trajectory;
  const pose = Array.from(states.subarray(0, 7));
  for (let t = 0; t < length; t++) for (const d of [0, 1, 2, 5]) pose[d] = (pose[d] as number) + (actions[t * 7 + d] as number);
  pose[6] = actions[(length - 1) * 7 + 6] as number;
  return pose;
}

describe("scripted robot episodes", () => {
  it("have 10–30 steps, consistent states and actions, and episode boundaries", async () => {
    for (const s of [...(await samples("train", 60)), ...(await samples("zeroshot", 30))]) {
      const e = s.episode;
      expect(e.length).toBeGreaterThanOrEqual(MIN_STEPS);
      expect(e.length).toBeLessThanOrEqual(MAX_STEPS);
      expect(e.actions.length).toBe(e.length * 7);
      expect(e.states?.length).toBe(e.length * 7);
      expect(e.cameras[0]?.frames.length).toBe(e.length);
      expect(e.isFirst?.filter(Boolean).length).toBe(1);
      expect(e.isLast?.[e.length - 1]).toBe(true);
      const states = e.states as Float32Array;
      for (let t = 1; t < e.length; t++) {
        // Each state is the previous one moved by the previous action (float32 storage rounding aside).
        for (const d of [0, 1, 2, 5]) expect(states[t * 7 + d]).toBeCloseTo((states[(t - 1) * 7 + d] as number) + (e.actions[(t - 1) * 7 + d] as number), 5);
        expect(states[t * 7 + 6]).toBe(e.actions[(t - 1) * 7 + 6]);
      }
      expect(new Set(e.instructions).size).toBe(1);
    }
  });

  it("move the gripper onto the target: the summed actions end where the task says", async () => {
    const kinds = new Set<string>();
    for (const s of await samples("train", 60)) {
      const target = s.objects[s.task.target];
      if (!target) throw new Error("no target");
      const [x, y, z, , , yaw, grip] = endPose(s);
      kinds.add(s.task.kind);
      if (s.task.kind === "pick") {
        expect(Math.hypot((x as number) - target.x, (y as number) - target.y)).toBeLessThan(0.03);
        expect(z).toBeCloseTo(LIFT_Z, 1);
        expect(yaw).toBeCloseTo(target.yaw, 1);
        expect(grip).toBe(0);
        // The object went up with the gripper: it ends where the gripper is.
        expect(s.trajectory.objects[s.task.target]?.x).toBeCloseTo(s.trajectory.final.x, 6);
      } else if (s.task.kind === "move") {
        expect(Math.hypot((x as number) - target.x, (y as number) - target.y)).toBeLessThan(0.03);
        expect(z).toBeCloseTo(HOVER_Z, 1);
        expect(grip).toBe(1);
      } else {
        const [dx, dy] = DIRECTIONS[s.task.direction ?? "left"];
        const moved = s.trajectory.objects[s.task.target];
        if (!moved) throw new Error("no moved object");
        expect(Math.hypot(moved.x - (target.x + dx * PUSH_DISTANCE), moved.y - (target.y + dy * PUSH_DISTANCE))).toBeLessThan(0.03);
        expect(s.task.instruction.endsWith(s.task.direction ?? "?")).toBe(true);
      }
      // The first action heads for the target (the first waypoint of every task is near it).
      const first = s.episode.actions;
      const g = s.episode.states as Float32Array;
      const toward = ((first[0] as number) * (target.x - (g[0] as number)) + (first[1] as number) * (target.y - (g[1] as number))) / Math.hypot(target.x - (g[0] as number), target.y - (g[1] as number));
      expect(toward).toBeGreaterThan(0.02);
    }
    expect([...kinds].sort()).toEqual(["move", "pick", "push"]);
  });

  it("grasp near table height and never leave the table or go through it", async () => {
    let lowest = 1;
    for (const s of await samples("train", 40, 11)) {
      const st = s.episode.states as Float32Array;
      for (let t = 0; t < s.episode.length; t++) {
        expect(st[t * 7]).toBeGreaterThan(0);
        expect(st[t * 7]).toBeLessThan(1);
        expect(st[t * 7 + 2]).toBeGreaterThan(0);
        lowest = Math.min(lowest, st[t * 7 + 2] as number);
      }
    }
    expect(lowest).toBeLessThan(GRASP_Z + 0.015);
  });

  it("name robot-vocabulary targets by color and type in train/eval, and only describe them in zeroshot", async () => {
    let sameColor = 0;
    let sameType = 0;
    const train = [...(await samples("train", 60)), ...(await samples("eval", 20))];
    for (const s of train) {
      const t = s.objects[s.task.target];
      if (!t) throw new Error("no target");
      expect(ROBOT_TYPES).toContain(t.type);
      expect(s.task.instruction).toContain(`the ${t.color} ${t.type}`);
      expect(s.task.naming).toBe("type");
      if (s.objects.some((o) => o !== t && o.color === t.color)) sameColor++;
      if (s.objects.some((o) => o !== t && o.type === t.type)) sameType++;
    }
    // Distractors that share a word of the name are common, so a policy must read both words.
    expect(sameColor / train.length).toBeGreaterThan(0.35);
    expect(sameType / train.length).toBeGreaterThan(0.1);
    const phrases = new Set<string>();
    for (const s of await samples("zeroshot", 40)) {
      const t = s.objects[s.task.target];
      if (!t) throw new Error("no target");
      expect(s.task.naming).toBe("category");
      expect(ROBOT_TYPES).toContain(t.type);
      expect(s.task.instruction).toContain(`the ${t.color} ${t.category}`);
      // No robot-vocabulary type is ever named: the instruction only describes.
      // (the color "orange" is also a type's name: it may appear, as the color)
      for (const type of [...ROBOT_TYPES, ...WEB_ONLY_TYPES].filter((type) => type !== t.color)) expect(s.task.instruction.split(" ")).not.toContain(type);
      // "the red fruit" picks out exactly one object, and another object has its color (the color alone is not enough).
      expect(s.objects.filter((o) => o.color === t.color && CATEGORY.get(o.type) === t.category)).toHaveLength(1);
      expect(s.objects.some((o) => o !== t && o.color === t.color)).toBe(true);
      phrases.add(`${t.color} ${t.category}`);
    }
    expect(phrases.size).toBeGreaterThan(8);
  });

  it("give the setup of an episode without rendering it: the same scene, task and start", async () => {
    for (const split of ["train", "zeroshot"] as const) {
      const [s] = await samples(split, 1);
      const setup = robotEpisodeSetup({ seed: 3, split, index: 0 });
      expect(setup.objects).toEqual(s?.objects);
      expect(setup.task).toEqual(s?.task);
      const g = setup.start;
      // The first recorded state is the start pose (stored as float32).
      expect(Array.from(s?.episode.states?.subarray(0, 7) ?? [])).toEqual(Array.from(Float32Array.from([g.x, g.y, g.z, 0, 0, g.yaw, g.open])));
    }
  });

  it("are reproducible per (seed, split, index) and differ across seeds; frames decode at the asked size", async () => {
    const a = await makeRobotEpisode({ seed: "x", split: "eval", index: 5, size: 48 });
    const b = await makeRobotEpisode({ seed: "x", split: "eval", index: 5, size: 48 });
    const c = await makeRobotEpisode({ seed: "y", split: "eval", index: 5, size: 48 });
    expect(a.episode.cameras[0]?.frames.map((f) => Buffer.from(f).toString("base64"))).toEqual(b.episode.cameras[0]?.frames.map((f) => Buffer.from(f).toString("base64")));
    expect(Array.from(a.episode.actions)).toEqual(Array.from(b.episode.actions));
    expect(Buffer.from(a.episode.cameras[0]?.frames[0] as Uint8Array).equals(Buffer.from(c.episode.cameras[0]?.frames[0] as Uint8Array))).toBe(false);
    const image = await decodeImage(a.episode.cameras[0]?.frames[a.episode.length - 1] as Uint8Array);
    expect([image.width, image.height, image.channels]).toEqual([48, 48, 3]);
  });
});
