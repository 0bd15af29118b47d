import { describe, expect, it } from "vitest";
import { fingerprint, rowsToBatch } from "@cotrain/core";
import { episodeToRows, episodesToBatch, makeNormalizer, normalizeRow } from "@cotrain/robot";
import type { Episode, EpisodeSlice, RowNormalizers } from "@cotrain/robot";
import { bridgeEpisode, floats } from "./rlds/fixtures.js";

/** What episodesToBatch replaces: the rows of each slice, normalized, through core's row builder. */
function viaRows(slices: readonly EpisodeSlice[], chunk: number, normalize: RowNormalizers = {}) {
  const rows = slices.flatMap(({ episode, from, to }) => episodeToRows(episode, { chunk, fromStep: from }).slice(0, to - from));
  return rowsToBatch(rows.map((r) => (normalize.action || normalize.state ? normalizeRow(r, normalize) : r)));
}

const stats = (dim: number) => ({ count: 10, mean: new Array(dim).fill(0.1), std: new Array(dim).fill(0.5), min: new Array(dim).fill(-1), max: new Array(dim).fill(1), q01: new Array(dim).fill(-0.4), q99: new Array(dim).fill(0.6) });

describe("episodesToBatch", () => {
  it("builds the same batch, byte for byte, as rowsToBatch over episodeToRows", async () => {
    const a = await bridgeEpisode(0, 5);
    const b: Episode = { ...(await bridgeEpisode(1, 9)), states: null, stateDim: 0, isFirst: [false, true, false, false, false, false, false, false, false], isLast: new Array(9).fill(false) };
    // Per-step instructions, one of them non-ASCII, and a missing one (falls back to the first).
    const c: Episode = { ...(await bridgeEpisode(2, 4)), instructions: ["lift the cup", "lift the cup", "hebe die Tasse – ☕"] };
    const d: Episode = { ...(await bridgeEpisode(3, 3)), cameras: [], actions: floats(3, 2, 9), actionDim: 2 };
    const cases: EpisodeSlice[][] = [
      [{ episode: a, from: 0, to: 5 }],
      [{ episode: a, from: 3, to: 5 }, { episode: b, from: 0, to: 9 }, { episode: c, from: 0, to: 2 }],
      [{ episode: b, from: 4, to: 7 }, { episode: c, from: 1, to: 4 }, { episode: d, from: 0, to: 3 }],
    ];
    const normalize = { action: makeNormalizer(stats(7)), state: makeNormalizer(stats(7), { mode: "mean_std" }) };
    for (const slices of cases) {
      for (const chunk of [0, 1, 4]) {
        expect(fingerprint(episodesToBatch(slices, { chunk }))).toBe(fingerprint(viaRows(slices, chunk)));
      }
    }
    const withStates = cases[0]!.concat({ episode: c, from: 0, to: 4 });
    expect(fingerprint(episodesToBatch(withStates, { chunk: 2, normalize }))).toBe(fingerprint(viaRows(withStates, 2, normalize)));
  });

  it("copies the frames: the batch does not refer to the episodes' buffers", async () => {
    const shared = await bridgeEpisode(0, 3);
    // Own copies of the frames (the fixtures share theirs between tests), overwritten once the batch is built.
    const a: Episode = { ...shared, cameras: shared.cameras.map((c) => ({ name: c.name, frames: c.frames.map((f) => f.slice()) })) };
    const batch = episodesToBatch([{ episode: a, from: 0, to: 3 }]);
    const before = fingerprint(batch);
    for (const camera of a.cameras) for (const frame of camera.frames) frame.fill(0);
    expect(fingerprint(batch)).toBe(before);
  });

  it("raises what rowsToBatch and episodeToRows raise", async () => {
    const a = await bridgeEpisode(0, 3);
    expect(() => episodesToBatch([{ episode: { ...a, actions: floats(2, 7, 1) }, from: 0, to: 2 }])).toThrow(expect.objectContaining({ code: "EPISODE_SHAPE" }));
    expect(() => episodesToBatch([{ episode: { ...a, actions: new Float32Array(0), actionDim: 0 }, from: 0, to: 3 }])).toThrow(expect.objectContaining({ code: "ROW_EMPTY_LIST" }));
    expect(() => episodesToBatch([{ episode: a, from: 2, to: 4 }])).toThrow(RangeError);
  });
});
