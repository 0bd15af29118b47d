import { spawnSync } from "node:child_process";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the cotrain command in the repository", () => {
  it("is linked by npm ci to the committed launcher, and runs the built CLI (`npx cotrain --help`)", () => {
    expect(realpathSync(`${root}node_modules/.bin/cotrain`)).toBe(realpathSync(`${root}packages/cli/bin/cotrain.mjs`));
    const r = spawnSync("npx", ["--no-install", "cotrain", "--help"], { cwd: root, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cotrain/);
  });
});
