import type { CliCommand } from "./command.js";
import { convertCommand } from "./convert.js";
import { inspectCommand } from "./inspect.js";
import { mixCommand } from "./mix.js";
import { reportCommand } from "./report.js";
import { statsCommand } from "./stats.js";
import { trainCommand } from "./train.js";
import { demoCommand } from "../demo/index.js";

/**
 * Every `cotrain` subcommand, in the order `--help` lists them. A new command is one file exporting a CliCommand
 * and one line here (the demo: `import { demoCommand } from "../demo/index.js";` and add it to the list).
 */
export const COMMANDS: readonly CliCommand[] = [
  inspectCommand,
  statsCommand,
  convertCommand,
  mixCommand,
  trainCommand,
  reportCommand,
  demoCommand,
];
