import { Command } from "commander";
import { COMMANDS } from "./commands/index.js";
import type { CliContext } from "./commands/command.js";
import { commanderExitCode, formatError } from "./errors.js";
import { processIo, println } from "./io.js";
import type { CliIo } from "./io.js";

export const VERSION = "0.1.0";

/** The `cotrain` program with every registered command, writing to `io`. */
export function createProgram(io: CliIo = processIo()): Command {
  const program = new Command("cotrain");
  const context: CliContext = { io, verbose: () => Boolean(program.opts().verbose) };
  program
    .description("Data pipelines and co-training runs for vision-language-action models: inspect, convert, mix, train, report.")
    .version(VERSION)
    .option("-v, --verbose", "print stack traces and error causes")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => void io.stdout.write(s), writeErr: (s) => void io.stderr.write(s) });
  for (const command of COMMANDS) command.register(program, context);
  return program;
}

/**
 * Runs the command line `argv` (without `node` and the script) in this process and resolves to the exit code:
 * 0 on success and after `--help`; 1 with a one-line error (class, code, location) on failure, plus the stack
 * with `--verbose`. Never calls process.exit, so tests can call it many times.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = createProgram(io);
  if (argv.length === 0) {
    program.outputHelp();
    return 1;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    const code = commanderExitCode(error);
    if (code !== null) return code; // commander has printed help or its usage error already
    println(io.stderr, formatError(error, argv.includes("--verbose") || argv.includes("-v")));
    return 1;
  }
}
