import { spawn } from "node:child_process";
import { UnsupportedError } from "@cotrain/core";

/** The ffmpeg binary to run: the option, else $COTRAIN_FFMPEG, else `ffmpeg` on the PATH. */
export function resolveFfmpegPath(option?: string): string {
  return option ?? process.env.COTRAIN_FFMPEG ?? "ffmpeg";
}

export function ffmpegMissing(path: string, cause?: unknown): UnsupportedError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  return new UnsupportedError(
    "FFMPEG_MISSING",
    `ffmpeg was not found or could not run at ${JSON.stringify(path)}${code ? ` (${code})` : ""}; video-backed LeRobot datasets need it to decode ` +
      `their MP4 files (h264, AV1). Install it with "apt-get install ffmpeg" (Debian/Ubuntu; 5.1 decodes both) or "brew install ffmpeg" (macOS), ` +
      "or point the ffmpegPath option or $COTRAIN_FFMPEG at a binary",
    { field: "ffmpegPath", cause },
  );
}

const checked = new Map<string, Promise<void>>();

/** Runs `ffmpeg -version` once per path, so a missing binary is reported when a dataset is opened. */
export function ensureFfmpeg(path: string): Promise<void> {
  let pending = checked.get(path);
  if (!pending) {
    pending = new Promise<void>((resolve, reject) => {
      const child = spawn(path, ["-hide_banner", "-version"], { stdio: "ignore" });
      child.on("error", (cause) => reject(ffmpegMissing(path, cause)));
      child.on("close", (code) => (code === 0 ? resolve() : reject(ffmpegMissing(path, new Error(`exit code ${code}`)))));
    });
    pending.catch(() => checked.delete(path));
    checked.set(path, pending);
  }
  return pending;
}

export interface FfmpegRun {
  /** Called with each stdout chunk as it arrives. */
  onData(chunk: Buffer): void;
}

/** Runs ffmpeg to completion, streaming stdout; resolves with the exit code and the tail of stderr. */
export function runFfmpeg(path: string, args: string[], run: FfmpegRun): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let failed = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (failed) return;
      try {
        run.onData(chunk);
      } catch (error) {
        failed = true;
        child.kill("SIGKILL");
        reject(error);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4000);
    });
    child.on("error", (cause) => {
      failed = true;
      reject(ffmpegMissing(path, cause));
    });
    child.on("close", (code) => {
      if (!failed) resolve({ code, stderr: stderr.trim() });
    });
  });
}
