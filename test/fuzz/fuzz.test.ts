// The seeded fuzz run of `npm test`: 300 cases per reader (the same cases every run: seed 1), each in the fuzzer's
// own processes with a time limit per case (see fuzz.mjs and README.md here). `npm run fuzz` runs 10,000 per reader.
// Runs against the built packages (dist): `npm test` builds first; after editing a package, `npm run build`.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = fileURLToPath(new URL(".", import.meta.url));
const packages = fileURLToPath(new URL("../../packages/", import.meta.url));
const RUNS = 300;
interface Tally {
  target: string;
  cases: number;
  same: number;
  "different-valid": number;
  skipped: number;
  typed: number;
  crash: number;
  hang: number;
  wrong: number;
  unlocated: number;
  alloc: number;
  died: number;
  codes: Record<string, number>;
  failures: { case: number; outcome: string; detail: string; replay: string }[];
}

/** The newest source file of the packages the fuzzer loads, against their dist: a stale build fuzzes old code. */
function staleBuild(): string | null {
  for (const name of ["core", "vision", "robot", "vqa"]) {
    const newest = (dir: string): number => Math.max(0, ...readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => statSync(join(dir, f)).mtimeMs));
    if (newest(`${packages}${name}/src`) > statSync(`${packages}${name}/dist/index.js`).mtimeMs) return name;
  }
  return null;
}

describe(`fuzzing every reader (${RUNS} seeded cases each)`, () => {
  it("ends every mutated input in the original output, an independently checked one, counted skips, or a typed error naming file and place", () => {
    const stale = staleBuild();
    if (stale !== null) console.warn(`fuzz: packages/${stale}/src is newer than its dist: run \`npm run build\` (the fuzzer runs the built code)`);
    const dir = mkdtempSync(join(tmpdir(), "cotrain-fuzz-test-"));
    const out = join(dir, "fuzz.json");
    const run = spawnSync(process.execPath, [join(here, "fuzz.mjs"), "--runs", String(RUNS), "--seed", "1", "--jobs", "2", "--case-ms", "30000", "--json", out, "--quiet"], { encoding: "utf8", timeout: 600_000 });
    expect(run.error).toBeUndefined();
    const summary = JSON.parse(readFileSync(out, "utf8")) as { targets: Tally[]; seconds: number };
    rmSync(dir, { recursive: true, force: true });
    const table = summary.targets.map((t) => `${t.target}: same ${t.same}, different-valid ${t["different-valid"]}, skipped ${t.skipped}, typed ${t.typed}, crash ${t.crash}, hang ${t.hang}, wrong ${t.wrong}, unlocated ${t.unlocated}, alloc ${t.alloc}, died ${t.died}`);
    console.log(`fuzz (${summary.seconds.toFixed(0)} s):\n${table.join("\n")}`);
    expect(summary.targets.map((t) => t.target).sort()).toEqual(["example", "lerobot-meta", "lerobot-parquet", "llava", "parquet-vqa", "rlds-metadata", "shards", "tfrecord", "vision"]);
    for (const t of summary.targets) {
      const failures = t.failures.map((f) => `${f.outcome} case ${f.case}: ${f.detail}\n  ${f.replay}`).join("\n");
      expect(t.cases, t.target).toBe(RUNS);
      expect({ target: t.target, crash: t.crash, hang: t.hang, died: t.died, alloc: t.alloc }, failures).toEqual({ target: t.target, crash: 0, hang: 0, died: 0, alloc: 0 });
      expect({ target: t.target, wrong: t.wrong, unlocated: t.unlocated }, failures).toEqual({ target: t.target, wrong: 0, unlocated: 0 });
      // Not vacuous: every target's mutations both break its input and leave it readable.
      expect(t.typed, t.target).toBeGreaterThan(RUNS / 10);
      expect(t.same + t["different-valid"] + t.skipped, t.target).toBeGreaterThan(RUNS / 20);
    }
  }, 600_000);
});
