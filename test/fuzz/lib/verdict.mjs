// How one fuzz case ends. The outcomes that pass: "same" (the original output), "typed" (a CotrainError naming the
// file and a position in it), "different-valid" (the mutation kept the input valid, and the output is what the
// target's independent oracle computes for the mutated input) and "skipped" (onError "skip": whole samples left
// out, none changed, each counted in the reader's skip counts). Everything else is a failure: "crash" (an error that
// is not a CotrainError), "unlocated" (a CotrainError without file or position), "wrong" (output the oracle
// rejects, or an error on unchanged input), "alloc" (peak virtual memory grew by more than ALLOC_LIMIT in one case)
// and, decided by the parent process, "hang" (a case past its time limit) and "died" (the process itself ended).
import { readFileSync } from "node:fs";
import { CotrainError, MissingError } from "@cotrain/core";
import { same } from "./rows.mjs";

/** What a judge returns for a skip-mode output that passes (see the header). */
export const SKIPPED = Symbol("skipped");

export const PASSING = ["same", "typed", "different-valid", "skipped"];
export const FAILING = ["crash", "unlocated", "wrong", "alloc", "hang", "died"];
/** Peak virtual memory growth in one case that counts as an allocation no input of a few KB justifies. */
export const ALLOC_LIMIT = 256 * 2 ** 20;

/** VmPeak of this process in bytes (peak virtual size: counts buffers allocated but never touched, too). */
export function vmPeak() {
  const m = /VmPeak:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * Whether an error names a file and a place in it (byte offset, row, field or id). A MissingError for a file that is
 * not there names that file alone: the file itself is the place.
 */
function located(error) {
  if (error.file === undefined) return false;
  if (error instanceof MissingError) return true;
  return error.offset !== undefined || error.row !== undefined || error.field !== undefined || error.id !== undefined;
}

/**
 * The verdict of one case. `expectError`: the target's oracle says this input must fail (a checksum covers the
 * changed bytes, or the text is not valid JSON); `judge(output)`: null when a different output is what the oracle
 * computes for the mutated input, SKIPPED when it is the original less whole samples that the reader counted as
 * skipped, else the reason it is wrong. `judgeSame`: ask the judge about the original output too (targets whose
 * oracle models the whole input, where a changed input may need to change the output).
 */
export async function verdictOf({ changed, output, error, baseline, expectError, judge, judgeSame = false }) {
  if (error !== undefined) {
    if (!(error instanceof CotrainError)) return { outcome: "crash", detail: String(error?.stack ?? error).slice(0, 800) };
    if (!changed) return { outcome: "wrong", code: error.code, detail: `error on unchanged input: ${error.message}` };
    if (!located(error)) return { outcome: "unlocated", code: error.code, detail: error.message.slice(0, 400) };
    return { outcome: "typed", code: error.code };
  }
  if (expectError) return { outcome: "wrong", detail: same(output, baseline) ? "accepted with the original output, but the oracle says this input must fail" : "accepted with different output, but the oracle says this input must fail" };
  if (same(output, baseline)) {
    // A target with a full model of its input checks that the original output is what the mutated input means.
    const reason = judgeSame ? await judge(output) : null;
    return typeof reason === "string" ? { outcome: "wrong", detail: `the original output, but the oracle expects another: ${reason}`.slice(0, 800) } : { outcome: "same" };
  }
  if (!changed) return { outcome: "wrong", detail: "different output from unchanged input (not deterministic)" };
  const reason = await judge(output);
  if (reason === null) return { outcome: "different-valid" };
  if (reason === SKIPPED) return { outcome: "skipped" };
  return { outcome: "wrong", detail: reason.slice(0, 800) };
}
