import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

/**
 * A JSON-lines file with one line per step (`metrics.jsonl`, `samples.jsonl`), appended synchronously so a crash
 * loses at most the line being written. On resume, the lines of steps after the checkpoint (written by the
 * interrupted run, and about to be redone) are dropped first, so the file reads as one uninterrupted run.
 */
export class StepLog<Line extends { step: number }> {
  constructor(readonly path: string) {}

  truncateAfter(step: number): void {
    if (!existsSync(this.path)) return;
    rewriteKeeping(this.path, (line) => (JSON.parse(line) as Line).step <= step);
  }

  write(line: Line): void {
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
  }
}

/** Every line of a JSON-lines file (none when it does not exist). */
export function readJsonLines<Line>(path: string): Line[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Line);
}

/**
 * Rewrites a JSON-lines file keeping the lines `keep` accepts (a line that does not parse, such as one cut short by
 * a kill, is dropped), atomically: the new text goes to a temporary name that is then renamed over the file, so a
 * run killed while truncating keeps the lines its checkpoint covers.
 */
function rewriteKeeping(path: string, keep: (line: string) => boolean): void {
  const kept = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => {
      if (line.trim() === "") return false;
      try {
        return keep(line);
      } catch {
        return false;
      }
    });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, kept.map((l) => `${l}\n`).join(""));
  renameSync(tmp, path);
}
