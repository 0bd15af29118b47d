import cliProgress from "cli-progress";
import type { OutputStream } from "./io.js";

/** A progress reporter: a bar on a terminal, a plain log line every few seconds otherwise (CI logs, files). */
export interface Progress {
  update(done: number, info?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * `total` null means the amount of work is not known ahead (a JSON array streamed to its end): the display then
 * counts up without a bar or ETA.
 */
export function createProgress(label: string, total: number | null, stream: OutputStream = process.stderr, unit = ""): Progress {
  const suffix = unit ? ` ${unit}` : "";
  if (stream.isTTY && process.env.CI === undefined) {
    const format = total === null ? `${label} {value}${suffix} | {duration_formatted} {info}` : `${label} [{bar}] {value}/{total}${suffix} {percentage}% | ETA {eta_formatted} {info}`;
    const bar = new cliProgress.SingleBar({ format, stream: stream as NodeJS.WritableStream, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
    bar.start(total ?? 0, 0, { info: "" });
    return {
      update: (done, info) => bar.update(done, { info: info ? formatInfo(info) : "" }),
      stop: () => bar.stop(),
    };
  }
  let last = Date.now();
  let lastDone = 0;
  let printed = -1;
  const line = (done: number, info?: Record<string, string | number>): void => {
    printed = done;
    stream.write(`${label}: ${done}${total === null ? "" : `/${total}`}${suffix}${info ? ` ${formatInfo(info)}` : ""}\n`);
  };
  return {
    update(done, info) {
      lastDone = done;
      const now = Date.now();
      if (now - last < 5000 && (total === null || done < total)) return;
      last = now;
      line(done, info);
    },
    stop() {
      if (printed !== lastDone) line(lastDone);
    },
  };
}

function formatInfo(info: Record<string, string | number>): string {
  return Object.entries(info)
    .map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(4)) : v}`)
    .join(" ");
}
