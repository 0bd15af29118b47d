#!/usr/bin/env node
// The fuzzer: runs each target's cases in a child process (child.mjs) with a time limit per case, and prints a
// table of outcomes. Runs against the built packages (dist), so build first (`npm run fuzz` does).
//   node test/fuzz/fuzz.mjs [--runs 10000] [--seed 1] [--targets tfrecord,llava] [--jobs 2] [--case-ms 20000] [--json out.json]
//   node test/fuzz/fuzz.mjs --targets llava --seed 1 --from 1234 --runs 1      # replay one case
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PASSING } from "./lib/verdict.mjs";
import { TARGETS } from "./targets/index.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));

function args(argv) {
  const out = { runs: 10_000, seed: 1, targets: TARGETS.map((t) => t.name), jobs: 2, caseMs: 20_000, json: null, from: 0, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const value = argv[i + 1];
    if (key === "--runs") out.runs = Number(value);
    else if (key === "--seed") out.seed = Number(value);
    else if (key === "--targets") out.targets = value.split(",");
    else if (key === "--jobs") out.jobs = Number(value);
    else if (key === "--case-ms") out.caseMs = Number(value);
    else if (key === "--json") out.json = value;
    else if (key === "--from") out.from = Number(value);
    else if (key === "--quiet") {
      out.quiet = true;
      continue;
    } else throw new Error(`unknown option ${key}`);
    i++;
  }
  return out;
}

/** Runs cases [from, to) of one target, restarting the child after a hang or a death; resolves to its tally. */
function runTarget(name, { seed, from, to, caseMs }) {
  const tally = { target: name, cases: 0, same: 0, "different-valid": 0, skipped: 0, typed: 0, crash: 0, unlocated: 0, wrong: 0, alloc: 0, hang: 0, died: 0, codes: {}, failures: [], seconds: 0 };
  const t0 = Date.now();
  const record = (r) => {
    tally.cases++;
    tally[r.outcome]++;
    if (r.code) tally.codes[r.code] = (tally.codes[r.code] ?? 0) + 1;
    if (!PASSING.includes(r.outcome) && tally.failures.filter((f) => f.outcome === r.outcome).length < 10) tally.failures.push({ case: r.case, outcome: r.outcome, code: r.code, detail: r.detail, mutation: r.mutation, replay: `node test/fuzz/fuzz.mjs --targets ${name} --seed ${seed} --from ${r.case} --runs 1` });
  };
  return new Promise((resolve, reject) => {
    const start = (at) => {
      if (at >= to) {
        tally.seconds = (Date.now() - t0) / 1000;
        return resolve(tally);
      }
      const child = spawn(process.execPath, [`${here}child.mjs`, name, String(seed), String(at), String(to)], { stdio: ["ignore", "pipe", "pipe"] });
      let current = -1;
      let workDir = null;
      // A killed or crashed child leaves its fixtures behind.
      const cleanUp = () => workDir && rmSync(workDir, { recursive: true, force: true });
      let timer = null;
      let ended = false;
      let stderr = "";
      let buffered = "";
      child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
      child.stdout.on("data", (data) => {
        buffered += data;
        let nl;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          let msg;
          try {
            msg = JSON.parse(line);
          } catch {
            continue; // a library printing to stdout
          }
          if (msg.dir !== undefined) workDir = msg.dir;
          else if (msg.start !== undefined) {
            current = msg.start;
            clearTimeout(timer);
            timer = setTimeout(() => {
              ended = true;
              child.kill("SIGKILL");
              child.once("exit", cleanUp);
              record({ case: current, outcome: "hang", detail: `no verdict within ${caseMs} ms` });
              start(current + 1);
            }, caseMs);
          } else if (msg.case !== undefined) {
            clearTimeout(timer);
            current = -1;
            record(msg);
          }
        }
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        if (ended) return;
        ended = true;
        if (current >= 0) {
          cleanUp();
          record({ case: current, outcome: "died", detail: `the process ended (${signal ?? `exit ${code}`}) during the case: ${stderr.slice(-1500)}` });
          return start(current + 1);
        }
        if (code !== 0) return reject(new Error(`fuzz target ${name}: the process failed outside any case (${signal ?? `exit ${code}`}):\n${stderr}`));
        tally.seconds = (Date.now() - t0) / 1000;
        resolve(tally);
      });
    };
    start(from);
  });
}

export function formatTable(tallies) {
  const cols = ["target", "cases", "same", "different-valid", "skipped", "typed", "crash", "hang", "wrong", "unlocated", "alloc", "died", "seconds"];
  const rows = tallies.map((t) => cols.map((c) => (c === "seconds" ? t.seconds.toFixed(0) : String(t[c]))));
  const total = cols.map((c) => (c === "target" ? "total" : c === "seconds" ? "" : String(tallies.reduce((s, t) => s + t[c], 0))));
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i].length), total[i].length));
  const line = (cells) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return [line(cols), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), line(total)].join("\n");
}

async function main() {
  const o = args(process.argv.slice(2));
  const queue = [...o.targets];
  const tallies = [];
  const t0 = Date.now();
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const tally = await runTarget(name, { seed: o.seed, from: o.from, to: o.from + o.runs, caseMs: o.caseMs });
      tallies.push(tally);
      if (!o.quiet) process.stderr.write(`${name}: ${tally.cases} cases in ${tally.seconds.toFixed(0)} s\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, worker));
  tallies.sort((a, b) => o.targets.indexOf(a.target) - o.targets.indexOf(b.target));
  const summary = { seed: o.seed, runs: o.runs, from: o.from, seconds: (Date.now() - t0) / 1000, targets: tallies };
  if (o.json) writeFileSync(o.json, `${JSON.stringify(summary, null, 2)}\n`);
  if (!o.quiet) {
    console.log(`fuzz: seed ${o.seed}, ${o.runs} cases per target, ${summary.seconds.toFixed(0)} s`);
    console.log(formatTable(tallies));
    for (const t of tallies) {
      const codes = Object.entries(t.codes).sort((a, b) => b[1] - a[1]);
      console.log(`\n${t.target} typed errors by code: ${codes.map(([c, n]) => `${c} ${n}`).join(", ") || "none"}`);
      for (const f of t.failures) console.log(`  FAIL case ${f.case} ${f.outcome}${f.code ? ` ${f.code}` : ""}: ${f.detail}\n    mutation: ${f.mutation ?? "-"}\n    replay: ${f.replay}`);
    }
  }
  const failed = tallies.reduce((s, t) => s + t.crash + t.hang + t.wrong + t.unlocated + t.alloc + t.died, 0);
  process.exitCode = failed > 0 ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
