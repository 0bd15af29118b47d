// Safe by default: a config file cannot make `cotrain train` write outside a run folder inside the config's own
// folder; `--out` (the user's own command line) may name any folder.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli, tempDir, writeJson } from "./fixtures.js";

describe("the run folder a config names", () => {
  const root = tempDir("cotrain-cli-rundir-");
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const configDir = join(root, "recipes", "bridge");
  mkdirSync(configDir, { recursive: true });
  const config = (runDir: string) => ({
    sources: { web: { format: "llava", path: "data/missing.json" } },
    mixture: { batchSize: 2 },
    collator: { tokenizer: "byte" },
    train: { steps: 1 },
    runDir,
  });

  it.each(["../escaped", "../../escaped", "/tmp/cotrain-escaped-run", "runs/../../escaped"])("refuses runDir %j with CONFIG_RUN_DIR before anything is read or written", async (runDir) => {
    const path = writeJson(join(configDir, "train.json"), config(runDir));
    const run = await cli("train", path);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^cotrain: ConfigError CONFIG_RUN_DIR: /);
    expect(run.stderr).toContain(path);
    expect(run.stderr).toContain('field "runDir"');
    for (const p of [join(root, "recipes", "escaped"), join(root, "escaped"), "/tmp/cotrain-escaped-run"]) expect(existsSync(p)).toBe(false);
  });

  it("accepts a run folder inside the config's folder (relative or absolute), and --out anywhere", async () => {
    for (const runDir of ["runs/a", join(configDir, "runs", "b")]) {
      const path = writeJson(join(configDir, "train.json"), config(runDir));
      const run = await cli("train", path);
      // Past the run folder check: the run fails on the missing data file, which it reaches next.
      expect(run.stderr).not.toContain("CONFIG_RUN_DIR");
      expect(run.stderr).toContain("missing.json");
    }
    const path = writeJson(join(configDir, "train.json"), config("../escaped"));
    const run = await cli("train", path, "--out", join(root, "elsewhere"));
    expect(run.stderr).not.toContain("CONFIG_RUN_DIR");
    expect(run.stderr).toContain("missing.json");
  });
});
