import type { Command } from "commander";
import type { CliIo } from "../io.js";

/** What every command gets: where to write, and whether `--verbose` was given. */
export interface CliContext {
  io: CliIo;
  verbose(): boolean;
}

/**
 * One `cotrain` subcommand. `register` adds it to the program (`program.command(name)…action(…)`); its action
 * throws on failure and `runCli` turns the error into one line and exit code 1.
 */
export interface CliCommand {
  name: string;
  register(program: Command, context: CliContext): void;
}
