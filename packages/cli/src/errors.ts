import { CommanderError } from "commander";

/**
 * The one line a failed command prints: the error class, its stable code and its message (which leads with the
 * place: file, byte offset, row, id, field). With `verbose` the stack and the chain of causes follow.
 */
export function formatError(error: unknown, verbose: boolean): string {
  const line = (e: unknown): string => {
    if (isCotrainError(e)) return `${e.name} ${e.code}: ${oneLine(e.message)}`;
    if (e instanceof Error) return `${e.name}: ${oneLine(e.message)}`;
    return oneLine(String(e));
  };
  let text = `cotrain: ${line(error)}`;
  if (!verbose) return text;
  if (error instanceof Error && error.stack) text += `\n${error.stack}`;
  for (let cause = (error as { cause?: unknown })?.cause, depth = 0; cause !== undefined && depth < 8; cause = (cause as { cause?: unknown })?.cause, depth++) {
    text += `\ncaused by: ${line(cause)}`;
    if (cause instanceof Error && cause.stack) text += `\n${cause.stack}`;
  }
  return text;
}

/** A CotrainError, recognised by shape so that this module (loaded for every command) does not load core. */
function isCotrainError(e: unknown): e is Error & { code: string } {
  return e instanceof Error && typeof (e as { code?: unknown }).code === "string" && typeof (e as { location?: unknown }).location === "function";
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ").trim();
}

/** The exit code commander asks for: 0 after --help / --version, 1 for usage errors. */
export function commanderExitCode(error: unknown): number | null {
  return error instanceof CommanderError ? error.exitCode : null;
}
