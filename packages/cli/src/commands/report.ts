import { println } from "../io.js";
import type { CliCommand } from "./command.js";

export const reportCommand: CliCommand = {
  name: "report",
  register(program, { io }) {
    program
      .command("report")
      .argument("<run-dir>", "a run folder written by cotrain train (metrics.jsonl)")
      .description("write report.html and PNG plots (loss per head, learning rate, mixture share per source, evaluations) for a run")
      .option("--title <text>", "page title")
      .action(async (runDir: string, flags: { title?: string }) => {
        const { writeRunReport } = await import("../report/run-report.js");
        const report = await writeRunReport(runDir, flags.title ? { title: flags.title } : {});
        println(io.stdout, `report: ${report.html}`, `plots (${report.plots.length}):`, ...report.plots.map((p) => `  ${p}`), `${report.steps} step(s), ${report.evals} evaluation(s)`);
      });
  },
};
