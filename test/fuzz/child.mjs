// One fuzz target's cases, run in a process of their own (started by fuzz.mjs) so that a hang or a native crash
// ends this process and not the run. Usage: node child.mjs TARGET SEED FROM TO
// Writes one JSON line before each case ({start}) and one after ({case, outcome, ...}); the parent keeps the time.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describeMutation, sameBytes } from "./lib/bytes.mjs";
import { ALLOC_LIMIT, PASSING, verdictOf, vmPeak } from "./lib/verdict.mjs";
import { loadTarget } from "./targets/index.mjs";

const [name, seedText, fromText, toText] = process.argv.slice(2);
const seed = Number(seedText);
const from = Number(fromText);
const to = Number(toText);
const target = await loadTarget(name);
const dir = mkdtempSync(join(tmpdir(), `cotrain-fuzz-${name}-`));
const say = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
say({ dir }); // the parent removes it if this process is killed

/** The seed of case i: a hash of (seed, target, i), so any case can be replayed alone. */
export function caseSeed(s, target, i) {
  let h = 0x811c9dc5 ^ s;
  for (const ch of `${target}:${i}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h | 0;
}

try {
  const ctx = await target.setup(dir);
  const baselines = new Map();
  const baseline = async (desc) => {
    const key = target.variantKey?.(desc) ?? "";
    if (!baselines.has(key)) baselines.set(key, await target.read(ctx, desc, target.originals?.(ctx, desc)));
    return baselines.get(key);
  };
  const arbitrary = target.arbitrary(ctx);
  for (let i = from; i < to; i++) {
    say({ start: i });
    const [desc] = fc.sample(arbitrary, { seed: caseSeed(seed, name, i), numRuns: 1 });
    const expected = await baseline(desc);
    const files = target.mutate(ctx, desc);
    // In-memory targets (images) take the mutated bytes as an argument; the others read them from their files.
    const originals = target.originals?.(ctx, desc) ?? ctx.files;
    const changed = Object.entries(files).some(([rel, bytes]) => !sameBytes(bytes, originals[rel]));
    if (!target.inMemory) for (const [rel, bytes] of Object.entries(files)) writeFileSync(join(ctx.dir, rel), bytes);
    const before = vmPeak();
    let output;
    let error;
    try {
      output = await target.read(ctx, desc, files);
    } catch (e) {
      error = e;
    }
    const grew = vmPeak() - before;
    // Judged before the files are restored: an oracle may read the mutated input from disk.
    let verdict = await verdictOf({
      changed,
      output,
      error,
      baseline: expected,
      expectError: changed && target.expectError(ctx, desc, files),
      judge: (out) => target.judge(ctx, desc, files, out, expected),
      judgeSame: changed && target.judgeSame === true,
    });
    if (!target.inMemory) for (const rel of Object.keys(files)) writeFileSync(join(ctx.dir, rel), ctx.files[rel]);
    if (grew > ALLOC_LIMIT && verdict.outcome !== "crash") verdict = { outcome: "alloc", detail: `peak virtual memory grew by ${Math.round(grew / 2 ** 20)} MiB in this case (${verdict.outcome} ${verdict.code ?? ""})` };
    say({ case: i, ...verdict, ...(PASSING.includes(verdict.outcome) ? {} : { mutation: describeMutation(desc).slice(0, 600) }) });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
// Readers may leave sharp's or DuckDB's threads behind; the cases are done.
process.exit(0);
