#!/usr/bin/env node
// Runs every package's benchmark (packages/<name>/bench/run.mjs) in its own process, one after another so they do
// not compete for the 2 cores, and collects their JSON results under bench/results/. Usage:
//   npm run bench                 # all packages
//   npm run bench -- core mixer   # only these
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const only = process.argv.slice(2);
mkdirSync(`${root}bench/results`, { recursive: true });
const names = readdirSync(`${root}packages`).filter((n) => existsSync(`${root}packages/${n}/bench/run.mjs`) && (only.length === 0 || only.includes(n)));
let failed = 0;
for (const name of names) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, [`${root}packages/${name}/bench/run.mjs`], { stdio: "inherit", cwd: root, env: { ...process.env, COTRAIN_BENCH_OUT: `${root}bench/results/${name}.json` } });
  if (r.status !== 0) failed++;
}
console.log(`\nbenchmarks: ${names.length - failed} ran, ${failed} failed; results in bench/results/`);
process.exit(failed ? 1 : 0);
