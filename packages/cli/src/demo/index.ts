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
  seeds?: number;
  backend?: BackendPreference;
  pretrainSteps?: number;
  finetuneSteps?: number;
}

const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got ${JSON.stringify(value)}`);
  return n;
};

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
      .description("the co-training experiment on the built-in sample world: VQA pretraining, then robot-only vs 1:1 co-trained fine-tuning (continuous head and action tokens); writes report.html")
      .option("-o, --out <dir>", "run folder (data/, runs/, report.html, results.json)", "runs/demo")
      .option("--quick", "small sizes (CI's smoke test, under 2 minutes)")
      .option("--sweep", "fine-tune with web shares 0, 0.25, 0.5 and 0.75 and plot VQA accuracy and action error against the share")
      .option("--seed <n>", "seed of the world, the data order and the model", count)
      .option("--seeds <n>", "run the whole experiment with seeds seed..seed+n-1; the table shows mean [min–max]", positive)
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
          ...(flags.seeds !== undefined ? { seeds: flags.seeds } : {}),
          sizes,
          ...(flags.backend ? { backend: flags.backend } : {}),
          log: io.stderr as NodeJS.WritableStream & { isTTY?: boolean },
          command: `cotrain demo${flags.quick ? " --quick" : ""}${flags.sweep ? " --sweep" : ""}${flags.seeds !== undefined ? ` --seeds ${flags.seeds}` : ""}${flags.seed !== undefined ? ` --seed ${flags.seed}` : ""} --out ${flags.out}`,
        });
        println(io.stdout, "", result.table, "", `backend ${result.backend}, ${result.seconds.toFixed(0)} s`, `report: ${result.files[0]}`);
      });
  },
};
