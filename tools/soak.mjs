#!/usr/bin/env node
// Kill/restart soak: SIGKILLs `cotrain convert` and `cotrain train` at seeded random moments, restarts them with
// --resume until they complete, and checks that no row is lost or duplicated, that no listing names a partial
// shard, that the shards equal an uninterrupted run's byte for byte and that training consumed exactly the samples
// of an uninterrupted run. Usage (after `npm run build`; `npm run soak` builds first):
//   node tools/soak.mjs [--kills 20] [--seed 1] [--size full|small] [--only convert|train] [--keep]
// Prints a table and writes bench/results/soak.json (soak-small.json with --size small); exits 1 when a check fails.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { formatTable, runSoak } from "./soak/run.mjs";

const { values } = parseArgs({ options: { kills: { type: "string", default: "20" }, seed: { type: "string", default: "1" }, size: { type: "string", default: "full" }, only: { type: "string" }, keep: { type: "boolean", default: false } } });
const kills = Number(values.kills);
const seed = Number(values.seed);
if (!Number.isInteger(kills) || kills < 0) throw new RangeError(`--kills must be a non-negative integer, got ${values.kills}`);
if (values.only !== undefined && values.only !== "convert" && values.only !== "train") throw new RangeError(`--only must be convert or train, got ${values.only}`);

const result = await runSoak({ kills, seed, size: values.size, only: values.only ?? null, keep: values.keep, log: (line) => console.log(line) });
console.log(`\n${formatTable(result)}\n`);
console.log(`${result.ok ? "all checks passed" : "CHECKS FAILED"}; ${(result.wallMs / 1000).toFixed(1)} s wall on ${cpus().length} cores`);
const out = fileURLToPath(new URL(`../bench/results/${values.size === "full" ? "soak" : `soak-${values.size}`}.json`, import.meta.url));
mkdirSync(fileURLToPath(new URL("../bench/results/", import.meta.url)), { recursive: true });
writeFileSync(out, `${JSON.stringify({ name: "soak", date: new Date().toISOString(), node: process.version, cpus: cpus().length, ...result }, null, 2)}\n`);
console.log(`wrote ${out}`);
process.exitCode = result.ok ? 0 : 1;
