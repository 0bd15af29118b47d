import { execFileSync, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "@cotrain/cli";
import { cli } from "./fixtures.js";

const repo = fileURLToPath(new URL("../../..", import.meta.url));

describe("the cotrain command line", () => {
  it("lists every command in --help and exits 0", async () => {
    const run = await cli("--help");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: cotrain [options] [command]");
    for (const name of ["inspect", "stats", "convert", "mix", "train", "report"]) expect(run.stdout).toMatch(new RegExp(`\\n  ${name} `));
    expect(COMMANDS.map((c) => c.name)).toEqual(expect.arrayContaining(["inspect", "stats", "convert", "mix", "train", "report"]));
  });

  it.each(["inspect", "stats", "convert", "mix", "train", "report"])("has --help for %s", async (name) => {
    const run = await cli(name, "--help");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: cotrain ${name} [options] <`);
    expect(run.stderr).toBe("");
  });

  it("prints the help and exits 1 without a command, and exits 1 on an unknown command or option", async () => {
    const none = await cli();
    expect(none.code).toBe(1);
    expect(none.stdout).toContain("Usage: cotrain");
    const unknown = await cli("frobnicate");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
    const option = await cli("inspect", ".", "--sample", "3");
    expect(option.code).toBe(1);
    expect(option.stderr).toContain("unknown option '--sample'");
    const number = await cli("inspect", ".", "--samples", "three");
    expect(number.code).toBe(1);
    expect(number.stderr).toContain('expected an integer ≥ 0, got "three"');
  });

  it("reports a failure in one line with its class, code and location, and the stack only with --verbose", async () => {
    const missing = join(tmpdir(), `cotrain-cli-nothing-here-${process.pid}`);
    const quiet = await cli("stats", missing);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe(`cotrain: MissingError INPUT_MISSING: ${missing}: no such file or folder\n`);
    const verbose = await cli("--verbose", "stats", missing);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr.split("\n")[0]).toBe(`cotrain: MissingError INPUT_MISSING: ${missing}: no such file or folder`);
    expect(verbose.stderr).toMatch(/\n\s+at /);
    expect(verbose.stderr).toContain("caused by: Error: ENOENT");
  });

  it("runs as a built binary", () => {
    execFileSync(process.execPath, [join(repo, "node_modules/typescript/bin/tsc"), "-p", join(repo, "packages/cli/tsconfig.json")], { cwd: repo, stdio: "pipe" });
    const help = spawnSync(process.execPath, [join(repo, "packages/cli/dist/bin.js"), "--help"], { encoding: "utf8" });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: cotrain [options] [command]");
    const failed = spawnSync(process.execPath, [join(repo, "packages/cli/dist/bin.js"), "inspect", join(repo, "no-such-dataset")], { encoding: "utf8" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toBe(`cotrain: MissingError INPUT_MISSING: ${join(repo, "no-such-dataset")}: no such file or folder\n`);
  }, 60_000);
});
