// builtWorkerScript: which file a Worker runs, from a package's built module or from its TypeScript source under
// the test runner. Fixtures: empty files in a temporary package layout made here.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { builtWorkerScript } from "@cotrain/core";

function layout(): string {
  // A folder called src above the package too: only the package's own src/ (the last one) maps to dist/.
  const pkg = join(mkdtempSync(join(tmpdir(), "cotrain-worker-")), "src", "pkg");
  for (const dir of ["src/pool", "dist/pool"]) mkdirSync(join(pkg, dir), { recursive: true });
  return pkg;
}

describe("builtWorkerScript", () => {
  it("takes the script beside a built module", () => {
    const pkg = layout();
    writeFileSync(join(pkg, "dist/pool/worker.js"), "");
    expect(builtWorkerScript(pathToFileURL(join(pkg, "dist/pool/lanes.js")).href, "./worker.js").href).toBe(pathToFileURL(join(pkg, "dist/pool/worker.js")).href);
  });

  it("maps a source module's missing script to the package's dist/", () => {
    const pkg = layout();
    writeFileSync(join(pkg, "dist/pool/worker.js"), "");
    expect(builtWorkerScript(pathToFileURL(join(pkg, "src/pool/lanes.ts")).href, "./worker.js").href).toBe(pathToFileURL(join(pkg, "dist/pool/worker.js")).href);
  });

  it("names both paths and says to build when neither exists", () => {
    const pkg = layout();
    expect(() => builtWorkerScript(pathToFileURL(join(pkg, "src/pool/lanes.ts")).href, "./worker.js")).toThrow(/src\/pool\/worker\.js is missing, and so is its built copy .*dist\/pool\/worker\.js: build the package first/);
  });
});
