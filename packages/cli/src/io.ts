/**
 * Where a command writes. `runCli` takes these so tests run the CLI in-process and read what it printed; the
 * binary passes process.stdout / process.stderr.
 */
export interface OutputStream {
  write(text: string): unknown;
  /** A terminal gets progress bars; anything else gets plain lines. */
  isTTY?: boolean;
}

export interface CliIo {
  /** Results: reports, tables, JSON. */
  stdout: OutputStream;
  /** Progress, notes and errors. */
  stderr: OutputStream;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr });

/** Writes lines to a stream, each ending in a newline. */
export function println(stream: OutputStream, ...lines: string[]): void {
  for (const line of lines) stream.write(`${line}\n`);
}
