// Shared by every package benchmark: times a function, prints a table, writes JSON to $COTRAIN_BENCH_OUT.
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { cpus } from "node:os";

/** Runs `fn` (which returns the units of work it did) until `minMs` have passed; returns units per second. */
export async function measure(fn, { minMs = 1500, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  let units = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  let runs = 0;
  while (elapsed < minMs || runs < 2) {
    units += await fn();
    runs++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { perSecond: (units / elapsed) * 1000, runs, ms: elapsed };
}

/** rows: [{name, value, unit, baseline?, baselineValue?}] — prints the table and writes JSON. */
export function report(pkg, rows, extra = {}) {
  const lines = rows.map((r) => ({
    benchmark: r.name,
    value: Number(r.value.toPrecision(4)),
    unit: r.unit,
    baseline: r.baseline ?? "",
    baseline_value: r.baselineValue === undefined ? "" : Number(r.baselineValue.toPrecision(4)),
    ratio: r.baselineValue === undefined ? "" : Number((r.value / r.baselineValue).toFixed(3)),
  }));
  console.table(lines);
  const out = process.env.COTRAIN_BENCH_OUT;
  if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ package: pkg, date: new Date().toISOString(), node: process.version, cpus: cpus().length, results: lines, ...extra }, null, 2));
  }
}

