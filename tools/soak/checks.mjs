// What the soak checks after each kill and at the end of each job.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * The shard entries listed by every manifest and progress record in `dir` whose file is missing or whose size or
 * sha256 differs from the listing: a partial (or foreign) shard that a reader would take as whole. Returns the
 * offending entries as `listing: file (why)`, and how many entries were checked.
 */
export function partialShardsListed(dir) {
  const listings = existsSync(dir) ? readdirSync(dir).filter((n) => /^(manifest(-\d+-of-\d+)?|write-progress(-\d+-of-\d+)?)\.json$/.test(n)) : [];
  const bad = [];
  let checked = 0;
  for (const name of listings) {
    const { shards } = JSON.parse(readFileSync(join(dir, name), "utf8"));
    for (const s of shards) {
      checked++;
      const path = join(dir, s.file);
      if (!existsSync(path)) bad.push(`${name}: ${s.file} (missing)`);
      else if (statSync(path).size !== s.bytes) bad.push(`${name}: ${s.file} (${statSync(path).size} bytes, listed ${s.bytes})`);
      else if (sha256(path) !== s.sha256) bad.push(`${name}: ${s.file} (sha256 differs)`);
    }
  }
  return { bad, checked };
}

export function sha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Rows lost (expected but missing) and duplicated (beyond the expected count), comparing two lists of keys as multisets. */
export function multisetDifference(expected, actual) {
  const counts = new Map();
  for (const k of expected) counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const k of actual) counts.set(k, (counts.get(k) ?? 0) - 1);
  let lost = 0;
  let duplicated = 0;
  for (const c of counts.values()) {
    if (c > 0) lost += c;
    else duplicated -= c;
  }
  return { lost, duplicated };
}

/** The names whose bytes differ between two folders (or that only one holds); empty when they are identical. */
export function folderDifferences(a, b) {
  const names = [...new Set([...readdirSync(a), ...readdirSync(b)])].sort();
  return names.filter((n) => !existsSync(join(a, n)) || !existsSync(join(b, n)) || !readFileSync(join(a, n)).equals(readFileSync(join(b, n))));
}
