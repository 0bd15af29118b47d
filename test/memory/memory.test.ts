// Bounded memory: the same pipeline (LLaVA JSON + RLDS → mixer → collator) over inputs of 1× and 10× the size
// (20k and 200k LLaVA entries, 200 and 2,000 RLDS episodes of 5 steps; the 10× input is ~70 MB on disk, and every
// buffer on the way holds at most a few hundred rows). Each size runs in its own process (stream.mjs, against the
// built packages) with V8's heap capped at 64 MB old space and 4 MB semi-space, so the heap stays close to what the
// pipeline really keeps (without a cap V8 lets garbage pile up for longer in a longer run, and peak RSS measures
// that instead), and a stage that kept its input would fail outright. Figures: peak RSS above the warm baseline
// (VmHWM after a reset, /proc/self/clear_refs), and what stays reachable after full collections every 100 batches.
// A control run keeps every batch, as a leaking stage would, and must exceed the bound the real runs stay under.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { STEPS, writeInputs } from "./fixtures.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const MiB = 2 ** 20;
const V8_FLAGS = ["--expose-gc", "--max-old-space-size=64", "--max-semi-space-size=4"];

interface Run {
  rows: number;
  webRows: number;
  robotRows: number;
  seconds: number;
  rssGrowth: number;
  retainedGrowth: number;
  hwmReset: boolean;
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).reduce((n, f) => n + (statSync(join(dir, f)).isFile() ? statSync(join(dir, f)).size : 0), 0);
}

describe("memory stays bounded while streaming (reader → mixer → collator)", () => {
  const root = mkdtempSync(join(tmpdir(), "cotrain-memory-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("peak RSS and retained heap growth are under fixed bounds at 1× and 10× the input", async () => {
    const runs: Record<string, Run & { inputBytes: number }> = {};
    const measure = (name: string, input: { json: string; imageRoot: string; rlds: string }, keep = false): Run => {
      const env = { ...process.env, COTRAIN_MEMORY_KEEP: keep ? "1" : "0" };
      const child = spawnSync(process.execPath, [...V8_FLAGS, join(here, "stream.mjs"), input.json, input.imageRoot, input.rlds], { encoding: "utf8", timeout: 300_000, env });
      expect(child.status, `${name}: ${child.stderr}`).toBe(0);
      return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Run;
    };
    for (const [name, entries, episodes] of [["1x", 20_000, 200], ["10x", 200_000, 2_000]] as const) {
      const dir = join(root, name);
      mkdirSync(dir);
      const input = await writeInputs(dir, entries, episodes);
      runs[name] = { ...measure(name, input), inputBytes: folderBytes(dir) };
      // The control: the same 1× run with every batch kept, as a leaking stage would, must break the bound.
      if (name === "1x") runs.leak = { ...measure("1x kept", input, true), inputBytes: runs[name]!.inputBytes };
      rmSync(dir, { recursive: true, force: true });
    }
    const one = runs["1x"]!;
    const ten = runs["10x"]!;
    console.log(`memory: ${JSON.stringify(Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, { rows: r.rows, inputMB: +(r.inputBytes / MiB).toFixed(1), rssGrowthMB: +(r.rssGrowth / MiB).toFixed(1), retainedGrowthMB: +(r.retainedGrowth / MiB).toFixed(1), seconds: r.seconds }])))}`);
    for (const run of [one, ten]) {
      // Every row went through: the mixer stops when the first source runs out, with exact proportions.
      expect(run.rows).toBeGreaterThanOrEqual(0.99 * (run.webRows + run.robotRows));
      expect(run.hwmReset).toBe(true);
      expect(run.rssGrowth).toBeLessThan(32 * MiB);
      expect(run.retainedGrowth).toBeLessThan(8 * MiB);
    }
    expect(ten.robotRows).toBe(2_000 * STEPS);
    expect(ten.inputBytes).toBeGreaterThan(60 * MiB); // ≫ the bounds: the input never fits in what is kept
    expect(runs.leak!.retainedGrowth).toBeGreaterThan(8 * MiB);
    // Ten times the input costs at most a few MB more, at any point.
    expect(ten.rssGrowth - one.rssGrowth).toBeLessThan(16 * MiB);
    expect(ten.retainedGrowth - one.retainedGrowth).toBeLessThan(4 * MiB);
  }, 600_000);
});
