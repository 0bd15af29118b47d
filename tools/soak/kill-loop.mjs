// One job run to completion through SIGKILLs: start it, kill it after a seeded random delay, restart it (the
// command carries --resume), until a start exits 0 on its own.
import { spawn } from "node:child_process";

/**
 * Runs `node ...args` until it exits 0. While `killsLeft()` is positive, each start is sent SIGKILL after
 * `delayMs()` (the job may finish first: then it was not killed); after each kill `onKilled(kill)` inspects what the
 * dead process left before the next start. A start that exits non-zero on its own is a failure of the job.
 * Returns every start: `{killed, delayMs, wallMs}`.
 */
export async function runThroughKills({ args, cwd, env, killsLeft, delayMs, onKilled }) {
  const starts = [];
  for (;;) {
    const kill = killsLeft() > 0 ? delayMs() : null;
    const run = await runOnce(args, { cwd, env, killAfterMs: kill });
    starts.push({ killed: run.killed, delayMs: kill === null ? null : Math.round(kill), wallMs: Math.round(run.wallMs) });
    if (run.killed) {
      await onKilled({ index: starts.length - 1, delayMs: kill });
      continue;
    }
    if (run.code !== 0) throw new Error(`node ${args.join(" ")} exited ${run.code ?? run.signal} after ${starts.length - 1} kill(s):\n${run.tail}`);
    return starts;
  }
}

function runOnce(args, { cwd, env, killAfterMs }) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const keep = (chunk) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let sent = false;
    const timer = killAfterMs === null ? null : setTimeout(() => {
      sent = child.kill("SIGKILL");
    }, killAfterMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, killed: sent && signal === "SIGKILL", wallMs: performance.now() - started, tail });
    });
  });
}
