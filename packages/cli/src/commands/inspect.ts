import { println } from "../io.js";
import type { CliCommand } from "./command.js";
import { integer, withInputOptions } from "./input-options.js";
import type { InputFlags } from "./input-options.js";

interface Flags extends InputFlags {
  samples: number;
  previews?: string;
  count: boolean;
  json?: boolean;
}

export const inspectCommand: CliCommand = {
  name: "inspect",
  register(program, { io }) {
    withInputOptions(program.command("inspect").argument("<path>", "dataset folder or file").description("show a dataset's format, size, features and a few samples (with PNG previews of their images)"))
      .option("-n, --samples <n>", "sample rows to print", integer(0), 3)
      .option("--previews <dir>", "write the first image of each sample as a PNG file into this folder")
      .option("--no-count", "do not stream the data to count it when the metadata does not say")
      .option("--json", "print the report as JSON")
      .action(async (path: string, flags: Flags) => {
        // Loaded on use (as in every command), so `--help` starts without the readers, Arrow and sharp.
        const [{ inspectDataset }, { formatInspectReport }, { inputSpec }] = await Promise.all([import("../inspect/inspect-dataset.js"), import("../inspect/format-report.js"), import("./input-spec.js")]);
        const report = await inspectDataset(inputSpec(path, flags), { samples: flags.samples, count: flags.count, progress: io.stderr, ...(flags.previews ? { previews: flags.previews } : {}) });
        if (flags.json) println(io.stdout, JSON.stringify(report, null, 2));
        else println(io.stdout, ...formatInspectReport(report));
      });
  },
};
