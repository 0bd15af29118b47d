import { InvalidArgumentError } from "commander";
import type { BackendPreference } from "@cotrain/trainer";
import { println } from "../io.js";
import { formatNumber } from "../text/table.js";
import type { CliCommand } from "./command.js";
import { integer } from "./input-options.js";

const BACKENDS = ["auto", "tensorflow", "tensorflow-gpu", "tensorflow-cpu", "wasm", "cpu"];
const backend = (value: string): BackendPreference => {
  if (!BACKENDS.includes(value)) throw new InvalidArgumentError(`expected one of ${BACKENDS.join(", ")}, got ${JSON.stringify(value)}`);
  return value as BackendPreference;
};

interface Flags {
  out?: string;
  steps?: number;
  backend?: BackendPreference;
  resume?: boolean;
  workers?: number;
}

export const trainCommand: CliCommand = {
  name: "train",
  register(program, { io }) {
    program
      .command("train")
      .argument("<config>", "training config (JSON or YAML): sources, mixture, collator, model, train, evaluation")
      .description("train the VLA on a config's mixture; writes run.json, metrics.jsonl and checkpoints into the run folder")
      .option("-o, --out <dir>", "run folder (default: the config's runDir)")
      .option("--steps <n>", "override train.steps", integer(1))
      .option("--backend <name>", `override train.backend (${BACKENDS.join(", ")})`, backend)
      .option("--resume", "continue from the latest checkpoint in the run folder")
      .option("--workers <n>", "override collator.workers (collator worker threads; 0: the main thread)", integer(0))
      .action(async (config: string, flags: Flags) => {
        // Loaded on use: the trainer brings tfjs, which the other commands do not need.
        const { runTraining } = await import("../train/run-training.js");
        const summary = await runTraining(config, {
          output: io.stderr,
          ...(flags.out !== undefined ? { out: flags.out } : {}),
          ...(flags.steps !== undefined ? { steps: flags.steps } : {}),
          ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
          ...(flags.resume ? { resume: true } : {}),
          ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
        });
        const last = summary.last;
        println(
          io.stdout,
          `trained ${summary.step} steps on ${summary.backend} (stopped by ${summary.stoppedBy})`,
          ...(last ? [`last step: loss ${formatNumber(last.loss)} (action ${formatNumber(last.actionLoss)}, text ${formatNumber(last.textLoss)})`] : []),
          ...summary.evals.slice(-1).map((e) => `last eval (step ${e.step}): ${JSON.stringify({ robot: e.robot, vqa: e.vqa })}`),
          `checkpoint: ${summary.checkpoint ?? "(none)"}`,
          `run folder: ${summary.runDir} (cotrain report ${summary.runDir})`,
        );
      });
  },
};
