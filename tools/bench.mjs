#!/usr/bin/env node
// Runs every package's benchmark (packages/<name>/bench/run.mjs) and every cross-package one (tools/bench/<name>/
// run.mjs, e.g. "loader") in its own process, one after another so they do not compete for the 2 cores, and
// collects their JSON results under bench/results/. Usage:
//   npm run bench                 # all of them
//   npm run bench -- core mixer   # only these
//   npm run bench -- loader       # the loader benchmark (tools/bench/loader)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const only = process.argv.slice(2);
mkdirSync(`${root}bench/results`, { recursive: true });
const scripts = new Map();
for (const n of readdirSync(`${root}packages`)) if (existsSync(`${root}packages/${n}/bench/run.mjs`)) scripts.set(n, `${root}packages/${n}/bench/run.mjs`);
for (const n of readdirSync(`${root}tools/bench`)) if (existsSync(`${root}tools/bench/${n}/run.mjs`)) scripts.set(n, `${root}tools/bench/${n}/run.mjs`);
const unknown = only.filter((n) => !scripts.has(n));
if (unknown.length > 0) {
  console.error(`no benchmark named ${unknown.join(", ")}; there are: ${[...scripts.keys()].join(", ")}`);
  process.exit(2);
}
const names = [...scripts.keys()].filter((n) => only.length === 0 || only.includes(n));
let failed = 0;
for (const name of names) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, [scripts.get(name)], { stdio: "inherit", cwd: root, env: { ...process.env, COTRAIN_BENCH_OUT: `${root}bench/results/${name}.json` } });
  if (r.status !== 0) failed++;
}
console.log(`\nbenchmarks: ${names.length - failed} ran, ${failed} failed; results in bench/results/`);
process.exit(failed ? 1 : 0);
