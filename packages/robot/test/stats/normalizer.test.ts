import { describe, expect, it } from "vitest";
import { batchToRows, collect, fingerprint } from "@cotrain/core";
import { computeStats, episodeToRows, gripperMask, makeNormalizer, normalizeSource, openRlds, writeRlds } from "@cotrain/robot";
import type { FeatureStats } from "@cotrain/robot";
import { bridgeEpisode, tmp } from "../rlds/fixtures.js";

const stats: FeatureStats = {
  count: 100,
  mean: [0, 1, 0.5],
  std: [2, 0.5, 0.5],
  min: [-5, 0, 0],
  max: [5, 2, 1],
  q01: [-4, 0.5, 0],
  q99: [4, 1.5, 1],
};

describe("normalizers", () => {
  it("q01_q99 maps [q01, q99] onto [-1, 1] and clips outside (OpenVLA BOUNDS_Q99)", () => {
    const n = makeNormalizer(stats);
    expect(Array.from(n.normalize([-4, 0.5, 0]))).toEqual([-1, -1, -1]);
    expect(Array.from(n.normalize([4, 1.5, 1]))).toEqual([1, 1, 1]);
    expect(Array.from(n.normalize([0, 1, 0.5])).map((v) => Math.abs(v) < 1e-7)).toEqual([true, true, true]);
    expect(Array.from(n.normalize([-100, 100, 0.25]))).toEqual([-1, 1, -0.5]);
  });

  it("a mask leaves the gripper untouched and unclipped", () => {
    const n = makeNormalizer(stats, { mask: gripperMask(3) });
    expect(gripperMask(3)).toEqual([true, true, false]);
    expect(Array.from(n.normalize([4, 0.5, 7]))).toEqual([1, -1, 7]);
    expect(Array.from(n.unnormalize([1, -1, 7]))).toEqual([4, 0.5, 7]);
    expect(n.describe()).toBe("normalize(q01_q99, dim=3, skip=[2])");
  });

  it("inverts: unnormalize(normalize(x)) = x inside the bounds, for every step of an H×D chunk", () => {
    for (const mode of ["q01_q99", "mean_std"] as const) {
      const n = makeNormalizer(stats, { mode });
      const chunk = Float32Array.from([-3.5, 0.75, 0.2, 0, 1, 0.5, 3.9, 1.49, 0.99]);
      const back = n.unnormalize(n.normalize(chunk));
      back.forEach((v, i) => expect(v).toBeCloseTo(chunk[i]!, 5));
    }
    const z = makeNormalizer(stats, { mode: "mean_std" });
    expect(Array.from(z.normalize([2, 2, 1.5])).map((v) => Number(v.toFixed(5)))).toEqual([1, 2, 2]);
    expect(() => z.normalize([1, 2])).toThrow(RangeError);
    expect(() => makeNormalizer(stats, { mask: [true] })).toThrow(RangeError);
  });

  it("openRlds applies them to every row (chunks included); normalizeSource does the same to any source", async () => {
    const episodes = await Promise.all([0, 1, 2].map((i) => bridgeEpisode(i, 6, false)));
    const dir = tmp();
    await writeRlds(dir, episodes, { name: "bridge", preset: "bridge" });
    const s = await computeStats(episodes);
    const action = makeNormalizer(s.action, { mask: gripperMask(7) });
    const state = makeNormalizer(s.state!, { mode: "mean_std" });
    const rows = (await collect(await openRlds(dir, { chunk: 3, normalize: { action, state } }))).flatMap(batchToRows);
    const raw = episodes.flatMap((e) => episodeToRows(e, { chunk: 3 }));
    expect(rows).toHaveLength(raw.length);
    rows.forEach((r, i) => {
      expect(Array.from(r.action!)).toEqual(Array.from(action.normalize(raw[i]!.action!)));
      expect(Array.from(r.state!)).toEqual(Array.from(state.normalize(raw[i]!.state!)));
      expect(r.action!.every((v, k) => (k % 7 === 6 ? v === 0 || v === 1 : v >= -1 && v <= 1))).toBe(true);
    });
    const wrapped = normalizeSource(await openRlds(dir, { chunk: 3 }), { action, state });
    expect((await collect(wrapped)).map(fingerprint)).toEqual((await collect(await openRlds(dir, { chunk: 3, normalize: { action, state } }))).map(fingerprint));
    expect(wrapped.describe()).toContain("normalize(action normalize(q01_q99, dim=7, skip=[6]); state normalize(mean_std, dim=7))");
  });
});
