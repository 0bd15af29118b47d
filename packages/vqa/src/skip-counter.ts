import type { JsonValue } from "@cotrain/core";

/**
 * Counts entries dropped under `onError: "skip"`, by reason (the error's code). The counts travel in the
 * source's state, so a resumed run reports the same totals as an uninterrupted one.
 */
export class SkipCounter {
  private counts = new Map<string, number>();

  count(reason: string): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
  }

  total(): number {
    let sum = 0;
    for (const n of this.counts.values()) sum += n;
    return sum;
  }

  /** Reasons in sorted order, so the state's JSON is the same in every run. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  restore(value: JsonValue, owner: string): void {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TypeError(`${owner}.restore: state.skipped must be an object, got ${JSON.stringify(value)}`);
    this.counts = new Map();
    for (const [reason, n] of Object.entries(value)) {
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0) throw new TypeError(`${owner}.restore: state.skipped.${reason} must be a count, got ${JSON.stringify(n)}`);
      this.counts.set(reason, n);
    }
  }
}
