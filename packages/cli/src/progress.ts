import cliProgress from "cli-progress";
import type { OutputStream } from "./io.js";
import { etaSeconds, formatDuration, formatInfo, formatRate, progressLine } from "./progress-format.js";

/** A progress reporter: a bar on a terminal, a plain log line every few seconds otherwise (CI logs, files). */
export interface Progress {
  /** `rated`: what the rate counts when it is not `done` (see ProgressOptions.rateUnit). */
  update(done: number, info?: Record<string, string | number>, rated?: number): void;
  stop(): void;
}

export interface ProgressOptions {
  /** "auto" (default): a bar when the stream is a terminal and CI is not set, else lines. */
  mode?: "auto" | "bar" | "lines";
  /** Lines mode: at most one line per this many milliseconds (default 5000), plus the final one. */
  interval?: number;
  /** The clock in milliseconds (tests pass their own). */
  now?: () => number;
  /**
   * The rate's unit when it counts something other than the progress, e.g. rows/s while the bar and ETA go by
   * episodes (RLDS metadata counts episodes, not steps); update's `rated` then gives that count.
   */
  rateUnit?: string;
}

/**
 * `total` null means the amount of work is not known ahead (a JSON array streamed to its end): the display then
 * counts up with the rate and the time so far, without a bar or ETA. The rate and ETA are averages over the whole
 * run, so they settle instead of jumping with each batch.
 */
export function createProgress(label: string, total: number | null, stream: OutputStream = process.stderr, unit = "", options: ProgressOptions = {}): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  const seconds = (): number => (now() - started) / 1000;
  const mode = options.mode ?? "auto";
  const rateUnit = options.rateUnit ?? unit;
  if (mode === "bar" || (mode === "auto" && stream.isTTY && process.env.CI === undefined)) return barProgress(label, total, stream, unit, rateUnit, seconds);

  const interval = options.interval ?? 5000;
  let lastLine = started;
  let lastDone = 0;
  let lastRated = 0;
  let updated = false;
  const line = (done: number, rated: number, finished: boolean, info?: Record<string, string | number>): void => {
    stream.write(`${progressLine({ label, done, total, unit, seconds: seconds(), finished, rated, rateUnit, ...(info ? { info } : {}) })}\n`);
  };
  return {
    update(done, info, rated = done) {
      lastDone = done;
      lastRated = rated;
      updated = true;
      if (now() - lastLine < interval || (total !== null && done >= total)) return; // the last count waits for stop's line
      lastLine = now();
      line(done, rated, false, info);
    },
    stop() {
      if (updated) line(lastDone, lastRated, true);
      updated = false;
    },
  };
}

function barProgress(label: string, total: number | null, stream: OutputStream, unit: string, rateUnit: string, seconds: () => number): Progress {
  const suffix = unit ? ` ${unit}` : "";
  const perSecond = `${rateUnit || "items"}/s`;
  const format =
    total === null
      ? `${label} {value}${suffix} | {speed} ${perSecond} | {spent} {info}`
      : `${label} [{bar}] {value}/{total}${suffix} {percentage}% | {speed} ${perSecond} | ETA {left} {info}`;
  const bar = new cliProgress.SingleBar({ format, stream: stream as NodeJS.WritableStream, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  const payload = (done: number, rated: number, info?: Record<string, string | number>): Record<string, string> => {
    const s = seconds();
    // Not cli-progress's own {eta}/{duration}: these are the same averages the log lines show.
    return { speed: formatRate(rated, s), left: formatDuration(etaSeconds(done, total, s)), spent: formatDuration(s), info: info ? formatInfo(info) : "" };
  };
  bar.start(total ?? 0, 0, payload(0, 0));
  let last = 0;
  let lastRated = 0;
  return {
    update: (done, info, rated = done) => {
      last = done;
      lastRated = rated;
      bar.update(done, payload(done, rated, info));
    },
    stop: () => {
      bar.update(last, payload(last, lastRated));
      bar.stop();
    },
  };
}
