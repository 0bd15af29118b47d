import cliProgress from "cli-progress";

/** A progress reporter: a bar on a terminal, a plain log line every few seconds otherwise (CI logs, files). */
export interface Progress {
  update(done: number, info?: Record<string, string | number>): void;
  stop(): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY && process.env.CI === undefined) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} {info}`, stream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { info: "" });
    return {
      update: (done, info) => bar.update(done, { info: info ? formatInfo(info) : "" }),
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  let lastDone = 0;
  return {
    update(done, info) {
      lastDone = done;
      const now = Date.now();
      if (now - last < 5000 && done < total) return;
      last = now;
      stream.write(`${label}: ${done}/${total}${info ? ` ${formatInfo(info)}` : ""}\n`);
    },
    stop() {
      if (lastDone < total) stream.write(`${label}: ${lastDone}/${total}\n`);
    },
  };
}

function formatInfo(info: Record<string, string | number>): string {
  return Object.entries(info)
    .map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(4)) : v}`)
    .join(" ");
}
