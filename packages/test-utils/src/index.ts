export { runReadmeExample } from "./readme.js";
import type { RecordBatch } from "apache-arrow";
import { fingerprint } from "@cotrain/core";
import type { JsonValue, Source } from "@cotrain/core";

/** Fingerprints (sha256 of IPC bytes) of every batch a source yields until its end. */
export async function fingerprints(source: Source, limit = Number.POSITIVE_INFINITY): Promise<string[]> {
  const out: string[] = [];
  while (out.length < limit) {
    const batch: RecordBatch | null = await source.next();
    if (batch === null) break;
    out.push(fingerprint(batch));
  }
  return out;
}

export interface ResumeReport {
  total: number;
  checked: number[];
}

/**
 * The shared resume check every Source's tests call: for each checkpoint k (default: 0, 1, the middle, the
 * last, and the end), read k batches from a fresh source, save `state()` through JSON (as a checkpoint file
 * would), restore it into another fresh source, and require that the remaining batches are byte-identical
 * (IPC fingerprints) to an uninterrupted run. `limit` bounds endless sources such as a mixer that repeats.
 */
export async function runResumeTest(makeSource: () => Source | Promise<Source>, checkpoints?: number[], limit = 10_000): Promise<ResumeReport> {
  const reference = await fingerprints(await makeSource(), limit);
  const total = reference.length;
  if (total === 0) throw new Error("runResumeTest: the source yielded no batches; a resume test needs data");
  const ks = checkpoints ?? [...new Set([0, 1, Math.floor(total / 2), total - 1, total])].filter((k) => k <= total);
  for (const k of ks) {
    const first = await makeSource();
    const head = await fingerprints(first, k);
    if (head.join() !== reference.slice(0, k).join()) throw new Error(`runResumeTest: a second run differs from the first within ${k} batches (not deterministic)`);
    const saved = JSON.parse(JSON.stringify(first.state())) as JsonValue;
    await first.close?.();
    const second = await makeSource();
    second.restore(saved);
    const tail = await fingerprints(second, limit - k);
    await second.close?.();
    const expected = reference.slice(k);
    if (tail.length !== expected.length) throw new Error(`runResumeTest: after restoring at batch ${k} got ${tail.length} batches, expected ${expected.length}`);
    const bad = tail.findIndex((f, i) => f !== expected[i]);
    if (bad >= 0) throw new Error(`runResumeTest: after restoring at batch ${k}, batch ${k + bad} differs from the uninterrupted run`);
  }
  return { total, checked: ks };
}
export { errorOf } from "./error-of.js";
export { checkHandles, openFdCount } from "./handles.js";
export type { HandleReport } from "./handles.js";
export { chromiumOrSkip, findChromium, loadInChromium } from "./browser.js";
export type { PageReport } from "./browser.js";
export { startFixtureServer } from "./fixture-server.js";
export type { Fault, FixtureServer, ServedRequest } from "./fixture-server.js";
