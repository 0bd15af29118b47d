import { join } from "node:path";
import { readFileSync, rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { rowsToBatch } from "@cotrain/core";
import { createProgress, episodeStarts, etaSeconds, formatDuration, formatRate, progressLine, progressPlan } from "@cotrain/cli";
import { cli, robotEpisodes, tempDir, vqaEntries, writeLlavaFixture, writeRldsFixture } from "./fixtures.js";

/** A stream that records what is written to it; `isTTY` as given (cli-progress also calls the cursor methods). */
function sink(isTTY: boolean): { isTTY: boolean; columns: number; write: (c: string) => boolean; text: () => string } & Record<string, unknown> {
  const chunks: string[] = [];
  const s = { isTTY, columns: 200, write: (c: string) => (chunks.push(String(c)), true), cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => s, removeListener: () => s, text: () => chunks.join("") };
  return s;
}

describe("progress formatting", () => {
  it("gives rates with three significant digits below 100/s and whole numbers above, '-' before time passes", () => {
    expect(formatRate(1234, 2)).toBe("617");
    expect(formatRate(25, 2)).toBe("12.5");
    expect(formatRate(1, 3)).toBe("0.333");
    expect(formatRate(0, 4)).toBe("0");
    expect(formatRate(10, 0)).toBe("-");
  });

  it("estimates the time left from the average rate so far, unknown without a total or before the first item", () => {
    expect(etaSeconds(250, 1000, 10)).toBe(30);
    expect(etaSeconds(1000, 1000, 10)).toBe(0);
    expect(etaSeconds(1200, 1000, 10)).toBe(0);
    expect(etaSeconds(0, 1000, 10)).toBeNaN();
    expect(etaSeconds(10, null, 10)).toBeNaN();
    expect([42, 59.6, 187, 3720, Number.NaN].map(formatDuration)).toEqual(["42s", "1m00s", "3m07s", "1h02m", "?"]);
  });

  it("writes one line with count, share, rate and ETA, or the time taken once finished", () => {
    expect(progressLine({ label: "convert rlds", done: 1200, total: 5000, unit: "rows", seconds: 5 })).toBe("convert rlds: 1200/5000 rows (24%) | 240 rows/s | ETA 16s");
    expect(progressLine({ label: "stats llava", done: 1200, total: null, unit: "rows", seconds: 5 })).toBe("stats llava: 1200 rows | 240 rows/s | 5s");
    expect(progressLine({ label: "counting rlds", done: 5, total: 5, unit: "episodes", seconds: 2, finished: true, info: { skipped: 2 } })).toBe("counting rlds: 5/5 episodes (100%) | 2.5 episodes/s | took 2s skipped=2");
  });

  it("goes by episodes with a rate in rows where the metadata counts episodes only (RLDS)", () => {
    expect(progressLine({ label: "convert rlds", done: 12, total: 40, unit: "episodes", rated: 1200, rateUnit: "rows", seconds: 5 })).toBe("convert rlds: 12/40 episodes (30%) | 240 rows/s | ETA 12s");
    expect(progressPlan({ kind: "robot", counts: { steps: 900, episodes: 40 }, countsFrom: "meta/info.json", features: [], details: {} })).toEqual({ total: 900, unit: "rows" });
    expect(progressPlan({ kind: "robot", counts: { episodes: 40, shardFiles: 2 }, countsFrom: "dataset_info.json", features: [], details: {} })).toEqual({ total: 40, unit: "episodes" });
    expect(progressPlan(null)).toEqual({ total: null, unit: "rows" });
    const steps = [true, false, false, true, false].map((first, i) => ({ source: "bridge", kind: "robot" as const, sample_id: `s${i}`, action: [0], is_first: first }));
    expect(episodeStarts(rowsToBatch(steps))).toBe(2);
  });
});

describe("createProgress", () => {
  it("writes plain lines (no escape codes, no carriage returns) when the output is not a terminal, at most one per interval and the final one", () => {
    const out = sink(false);
    let t = 0;
    const p = createProgress("convert llava", 1000, out, "rows", { now: () => t, interval: 5000 });
    for (const [at, done] of [[1000, 100], [4000, 400], [5000, 500], [6000, 600], [10_000, 1000]] as const) {
      t = at;
      p.update(done);
    }
    t = 10_500;
    p.stop();
    const text = out.text();
    expect(text).not.toMatch(/[\r\x1b]/);
    expect(text.split("\n")).toEqual([
      "convert llava: 500/1000 rows (50%) | 100 rows/s | ETA 5s",
      "convert llava: 1000/1000 rows (100%) | 95.2 rows/s | took 11s",
      "",
    ]);
  });

  it("rates what `rated` counts when the rate's unit differs from the count's", () => {
    const out = sink(false);
    let t = 0;
    const p = createProgress("stats rlds", 4, out, "episodes", { now: () => t, interval: 1000, rateUnit: "rows" });
    t = 5000;
    p.update(2, undefined, 40);
    p.stop();
    expect(out.text().split("\n")[0]).toBe("stats rlds: 2/4 episodes (50%) | 8 rows/s | ETA 5s");
  });

  it("chooses lines on a non-terminal in auto mode, and prints nothing at stop when nothing was counted", () => {
    const out = sink(false);
    createProgress("stats rlds", 10, out, "rows").stop();
    expect(out.text()).toBe("");
    const counted = createProgress("stats rlds", null, out, "rows");
    counted.update(3);
    counted.stop();
    expect(out.text()).toMatch(/^stats rlds: 3 rows \| [\d.-]+ rows\/s \| took \d+s\n$/);
  });

  it("draws a bar with rows/s and ETA on a terminal", () => {
    const out = sink(true);
    let t = 0;
    const p = createProgress("convert rlds", 400, out, "rows", { mode: "bar", now: () => t });
    t = 2000;
    p.update(100);
    p.stop();
    const text = out.text();
    expect(text).toContain("\x1b"); // drawn in place with escape codes, not logged line after line
    expect(text).toMatch(/convert rlds \[[█░]+\] 100\/400 rows 25% \| 50 rows\/s \| ETA 6s/);
  });
});

describe("the long commands' progress, as a log reads it (not a terminal)", () => {
  const root = tempDir("cotrain-cli-progress-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("convert and stats of RLDS count episodes of the metadata's total, with rows/s; of LLaVA, rows without a total", async () => {
    const { versionDir } = await writeRldsFixture(join(root, "rlds"), await robotEpisodes(3), 1);
    const llava = await writeLlavaFixture(root, await vqaEntries(5));
    const convert = await cli("convert", versionDir, "--out", join(root, "shards"));
    expect(convert.code).toBe(0);
    expect(convert.stderr).toMatch(/^convert rlds: 3\/3 episodes \(100%\) \| [\d.]+ rows\/s \| took \d+s$/m);
    // The display is not a pipeline stage: the manifest records the reader as it is (a resume compares it).
    const manifest = JSON.parse(readFileSync(join(root, "shards", "manifest.json"), "utf8")) as { pipeline: string };
    expect(manifest.pipeline).not.toContain("progress");
    const stats = await cli("stats", llava);
    expect(stats.code).toBe(0);
    expect(stats.stderr).toMatch(/^stats llava: 5 rows \| [\d.]+ rows\/s \| took \d+s$/m);
    expect(`${convert.stderr}${stats.stderr}`).not.toMatch(/[\r\x1b]/);
  });
});
