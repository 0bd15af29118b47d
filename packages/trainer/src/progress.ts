import cliProgress from "cli-progress";
import type { StepMetrics } from "./metrics.js";

/** "auto": a bar on a terminal, plain lines otherwise. */
export type ProgressMode = "auto" | "bar" | "lines" | "none";

export interface ProgressOptions {
  mode?: ProgressMode;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Lines mode: one line every this many steps (and on the last). */
  every?: number;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** The training progress display: a cli-progress bar (step, losses, samples/s, ETA) or plain log lines. */
export class Progress {
  private readonly mode: "bar" | "lines" | "none";
  private readonly stream: NodeJS.WritableStream;
  private readonly every: number;
  private bar: cliProgress.SingleBar | null = null;
  private total = 0;
  private startStep = 0;
  private startTime = 0;

  constructor(options: ProgressOptions = {}) {
    const stream = options.stream ?? process.stderr;
    const mode = options.mode ?? "auto";
    this.mode = mode === "auto" ? (stream.isTTY ? "bar" : "lines") : mode;
    this.stream = stream;
    this.every = Math.max(1, options.every ?? 10);
  }

  start(total: number, startStep: number): void {
    this.total = total;
    this.startStep = startStep;
    this.startTime = performance.now();
    if (this.mode !== "bar") return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.stream,
        format: "step {value}/{total} [{bar}] loss {loss} (action {action}, text {text}) | {sps} samples/s | data wait {wait} | ETA {eta_formatted}",
        barsize: 20,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, startStep, { loss: "-", action: "-", text: "-", sps: "-", wait: "-" });
  }

  update(m: StepMetrics): void {
    const wait = `${((100 * m.dataWaitMs) / Math.max(1e-9, m.dataWaitMs + m.stepMs)).toFixed(0)}%`;
    if (this.bar) {
      this.bar.update(m.step, { loss: m.loss.toFixed(4), action: m.actionLoss.toFixed(4), text: m.textLoss.toFixed(4), sps: m.samplesPerSec.toFixed(1), wait });
      return;
    }
    if (this.mode !== "lines" || (m.step % this.every !== 0 && m.step !== this.total)) return;
    const done = m.step - this.startStep;
    const elapsed = (performance.now() - this.startTime) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - m.step) : Number.NaN;
    this.stream.write(
      `step ${m.step}/${this.total} | loss ${m.loss.toFixed(4)} (action ${m.actionLoss.toFixed(4)}, text ${m.textLoss.toFixed(4)}) | ` +
        `lr ${m.lr.toExponential(2)} | ${m.samplesPerSec.toFixed(1)} samples/s | data wait ${wait} | ETA ${formatDuration(eta)}\n`,
    );
  }

  /** A message between updates (eval results, checkpoints); on a bar it is printed above the bar's line. */
  log(line: string): void {
    if (this.mode === "none") return;
    this.stream.write(this.bar ? `\r\x1b[K${line}\n` : `${line}\n`);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}
