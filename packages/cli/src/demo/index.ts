import { InvalidArgumentError } from "commander";
import type { BackendPreference } from "@cotrain/trainer";
import { println } from "../io.js";
import type { CliCommand } from "../commands/command.js";
import type { DemoSizes } from "./demo-config.js";

interface Flags {
  out: string;
  quick?: boolean;
  sweep?: boolean;
  seed?: number;
  backend?: BackendPreference;
  pretrainSteps?: number;
  finetuneSteps?: number;
}

const count = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
};

export const demoCommand: CliCommand = {
  name: "demo",
  register(program, { io }) {
    program
      .command("demo")
      .description("the co-training experiment on the built-in sample world: VQA pretraining, then robot-only vs 1:1 co-trained fine-tuning; writes report.html")
      .option("-o, --out <dir>", "run folder (data/, runs/, report.html, results.json)", "runs/demo")
      .option("--quick", "small sizes (CI's smoke test, under 2 minutes)")
      .option("--sweep", "also fine-tune with web shares 0.25 and 0.75")
      .option("--seed <n>", "seed of the world, the data order and the model", count)
      .option("--backend <name>", "auto, tensorflow, tensorflow-gpu, tensorflow-cpu, wasm or cpu")
      .option("--pretrain-steps <n>", "VQA-only steps before fine-tuning", count)
      .option("--finetune-steps <n>", "steps of each fine-tuning arm", count)
      .action(async (flags: Flags) => {
        const { runDemo } = await import("./run-demo.js");
        const sizes: Partial<DemoSizes> = {
          ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
          ...(flags.pretrainSteps !== undefined ? { pretrainSteps: flags.pretrainSteps } : {}),
          ...(flags.finetuneSteps !== undefined ? { finetuneSteps: flags.finetuneSteps } : {}),
        };
        const result = await runDemo({
          out: flags.out,
          quick: flags.quick === true,
          sweep: flags.sweep === true,
          sizes,
          ...(flags.backend ? { backend: flags.backend } : {}),
          log: io.stderr as NodeJS.WritableStream & { isTTY?: boolean },
          command: `cotrain demo${flags.quick ? " --quick" : ""}${flags.sweep ? " --sweep" : ""} --out ${flags.out}`,
        });
        println(io.stdout, "", result.table, "", `backend ${result.backend}, ${result.seconds.toFixed(0)} s`, `report: ${result.files[0]}`);
      });
  },
};
