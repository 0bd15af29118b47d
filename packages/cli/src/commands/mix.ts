import { println } from "../io.js";
import type { CliCommand } from "./command.js";
import { integer } from "./input-options.js";

export const mixCommand: CliCommand = {
  name: "mix",
  register(program, { io }) {
    program
      .command("mix")
      .argument("<config>", "mixture config (JSON or YAML): sources and mixture")
      .description("preview a mixture: the rows each batch takes from each source, and per-source rows, share vs target, epochs and skips")
      .option("-b, --batches <n>", "batches to read", integer(1), 10)
      .option("--json", "print the preview as JSON")
      .action(async (config: string, flags: { batches: number; json?: boolean }) => {
        const [{ previewMix }, { formatMixPreview }] = await Promise.all([import("../mix/preview-mix.js"), import("../mix/format-preview.js")]);
        const preview = await previewMix(config, flags.batches);
        println(io.stdout, ...(flags.json ? [JSON.stringify(preview, null, 2)] : formatMixPreview(preview)));
      });
  },
};
