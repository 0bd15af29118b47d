import { spawnSync } from "node:child_process";
import type { SpawnSyncReturns } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateWorld } from "@cotrain/synth";
import { importProblems } from "./pack-install/dist-imports.js";
import { userProject } from "./pack-install/project-lock.js";
import type { Lockfile, Packed } from "./pack-install/project-lock.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const workspaces = readdirSync(join(root, "packages"))
  .filter((dir) => existsSync(join(root, "packages", dir, "package.json")))
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")) as { name: string; private?: boolean } }));
const published = workspaces.filter((w) => w.manifest.private !== true);

/** npm's own variables from the `npm test` around us would point the inner npm at the monorepo: left out. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^npm_(package_|lifecycle_|config_(local_prefix|prefix|workspaces?|include_workspace_root|global)$)/i.test(key)) delete env[key];
  return env;
}

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env: cleanEnv(), encoding: "utf8", maxBuffer: 64 << 20 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

// What a user gets from `npm pack` output: the packages install into their own project with npm alone, their
// types check a script of theirs, and it runs. Needs the build (npm test builds first) and the npm cache that the
// monorepo's `npm ci` filled; nothing is fetched (npm ci --offline, see pack-install/project-lock.ts for why a
// lockfile). The project lives in the OS temp folder, so nothing resolves from the monorepo's node_modules.
describe("the packages as npm pack makes them, installed into a user's project", () => {
  const work = mkdtempSync(join(tmpdir(), "cotrain-pack-"));
  const tarballs = join(work, "tarballs");
  const project = join(work, "project");
  const data = join(work, "data");
  let packed: (Packed & { files: { path: string }[] })[] = [];

  beforeAll(async () => {
    mkdirSync(tarballs);
    mkdirSync(project);
    const args = ["pack", ...published.flatMap((w) => ["-w", `packages/${w.dir}`]), "--pack-destination", tarballs, "--json"];
    packed = JSON.parse(ok(run("npm", args, root), "npm pack")) as typeof packed;
    const monorepo = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as Lockfile;
    const { packageJson, lock } = userProject(monorepo, packed, "../tarballs", ["@types/node"]);
    writeFileSync(join(project, "package.json"), `${JSON.stringify(packageJson, null, 2)}\n`);
    writeFileSync(join(project, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
    let install = run("npm", ["ci", "--offline", "--no-audit", "--no-fund"], project);
    if (install.status !== 0 && /ENOTCACHED/.test(install.stderr)) {
      // A cache that did not come from the monorepo's `npm ci` alone (a package's metadata cached by `npm view`
      // is kept under other headers) lacks an entry: fetch only what is missing, where a registry is reachable.
      process.stderr.write(`pack-install: npm ci --offline: ${/request to (\S+)/.exec(install.stderr)?.[1] ?? "an entry"} is not in the npm cache; retrying with --prefer-offline\n`);
      install = run("npm", ["ci", "--prefer-offline", "--no-audit", "--no-fund"], project);
    }
    ok(install, "npm ci in the user project");
    // The data: a tiny sample world written by the project's own writers (RLDS in Bridge layout, LLaVA JSON).
    await generateWorld(data, { seed: 3, robotEpisodes: 4, zeroShotEpisodes: 0, vqaEntries: 8, imageSize: 32, evalFraction: 0, formats: ["rlds", "llava"] });
  }, 240_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("packs every published package with its build, types and README, and no tests or benchmarks", () => {
    expect(packed.map((p) => p.name).sort()).toEqual(published.map((w) => w.manifest.name).sort());
    for (const p of packed) {
      const files = p.files.map((f) => f.path);
      for (const must of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts"]) expect(files, `${p.name} ${must}`).toContain(must);
      expect(files.filter((f) => /\.test\.|(^|\/)(test|bench|__tests__)\//.test(f)), p.name).toEqual([]);
    }
  });

  it("installs from the tarballs with every dependency satisfied (npm ls)", () => {
    const ls = run("npm", ["ls", "--all", "--json", "--offline"], project);
    expect((JSON.parse(ls.stdout) as { problems?: string[] }).problems ?? []).toEqual([]);
    expect(ls.status).toBe(0);
    for (const p of packed) expect(existsSync(join(project, "node_modules", p.name, "dist", "index.js")), p.name).toBe(true);
  });

  it("each package.json's exports, types, main and bin name files the package holds", () => {
    for (const p of packed) {
      const dir = join(project, "node_modules", p.name);
      const m = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { type?: string; main?: string; types?: string; exports?: Record<string, { types?: string; default?: string }>; bin?: Record<string, string> };
      expect(m.type, p.name).toBe("module");
      const entry = m.exports?.["."];
      expect(entry?.types, `${p.name} exports["."].types`).toBe("./dist/index.d.ts");
      expect(entry?.default, `${p.name} exports["."].default`).toBe("./dist/index.js");
      for (const file of [m.main, m.types, entry?.types, entry?.default, ...Object.values(m.bin ?? {})]) expect(existsSync(join(dir, file ?? "missing")), `${p.name}: ${file}`).toBe(true);
    }
  });

  it("each package's JavaScript imports only declared packages, nothing dev-only, nothing outside the package", async () => {
    const rootManifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies?: Record<string, string> };
    const devOnly = new Set(Object.keys(rootManifest.devDependencies ?? {}));
    const problems = (await Promise.all(packed.map((p) => importProblems(join(project, "node_modules", p.name), devOnly)))).flat();
    expect(problems).toEqual([]);
  });

  it("every package loads in plain Node from the install", () => {
    const names = JSON.stringify(packed.map((p) => p.name));
    const script = `for (const name of ${names}) { const m = await import(name); if (Object.keys(m).length === 0) throw new Error(name + " exports nothing"); } console.log("loaded");`;
    expect(ok(run(process.execPath, ["--input-type=module", "-e", script], project), "importing every package").trim()).toBe("loaded");
  });

  it.runIf(process.platform === "linux")("installs the optional koffi, so `shrinkOnLoad` works from the install", () => {
    const script = `const v = await import("@cotrain/vision"); const c = v.imageDecoder(); console.log(c.name, c.reason);`;
    expect(ok(run(process.execPath, ["--input-type=module", "-e", script], project), "choosing the decoder").trim()).toMatch(/^libvips koffi and .*libvips-cpp\.so/);
  });

  it("runs the installed binary: `npx cotrain --help`", () => {
    const r = run("npx", ["--no-install", "cotrain", "--help"], project);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: cotrain/);
  });

  it("type-checks a user's script against the installed types (tsc --noEmit) and runs it: RLDS + LLaVA mixed 1:1, collated, masks printed", () => {
    copyFileSync(join(root, "test", "pack-install", "user-script.ts"), join(project, "user-script.ts"));
    const compilerOptions = { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", lib: ["ES2023"], types: ["node"], strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false, rootDir: ".", outDir: "out" };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["user-script.ts"] }, null, 2));
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc"); // the repository's TypeScript; nothing else of it
    const check = run(process.execPath, [tsc, "-p", ".", "--noEmit"], project);
    expect(`${check.stdout}${check.stderr}`).toBe("");
    expect(check.status).toBe(0);
    ok(run(process.execPath, [tsc, "-p", "."], project), "tsc (emit)");

    const out = ok(run(process.execPath, ["out/user-script.js", join(data, "robot/rlds/bridge_synth/1.0.0"), join(data, "vqa/llava/train.json")], project), "the user script");
    const rows = out.trim().split("\n").map((line) => {
      const m = /^step (\d) row (\d) (robot|web) (\S+) (\S+) action_mask=([01]) labels=([01]+)$/.exec(line);
      if (m === null) throw new Error(`unexpected line: ${line}`);
      return { step: Number(m[1]), kind: m[3], source: m[4], id: m[5] as string, actionMask: Number(m[6]), labels: m[7] as string };
    });
    expect(rows).toHaveLength(8); // stop: {steps: 2}, batches of 4
    const entries = JSON.parse(readFileSync(join(data, "vqa/llava/train.json"), "utf8")) as { id: string; conversations: { from: string; value: string }[] }[];
    for (const step of [0, 1]) {
      const batch = rows.filter((r) => r.step === step);
      expect(batch.map((r) => `${r.kind}/${r.source}`).sort()).toEqual(["robot/bridge", "robot/bridge", "web/llava", "web/llava"]); // 1:1 in every batch
      for (const r of batch) {
        const trainedRuns = (r.labels.match(/1+/g) ?? []).map((run) => run.length);
        if (r.kind === "robot") {
          // Robot rows train their action (continuous, action mask 1) and no text (robot text is off by default).
          expect([r.actionMask, trainedRuns]).toEqual([1, []]);
          expect(r.id).toMatch(/^synth\/train\/episode_\d+_\d+#\d+$/);
        } else {
          // Web rows train each answer and its </s> (byte tokens: " " + answer + </s>), nothing else; no action.
          const entry = entries.find((e) => e.id === r.id);
          const answers = entry?.conversations.filter((c) => c.from === "gpt").map((c) => Buffer.byteLength(` ${c.value}`) + 1);
          expect([r.actionMask, trainedRuns]).toEqual([0, answers]);
        }
      }
    }
  });
});
