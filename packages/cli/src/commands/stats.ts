import { resolve } from "node:path";
import type { DatasetStatsReport } from "../stats/dataset-stats.js";
import { println } from "../io.js";
import { formatVector } from "../text/table.js";
import type { CliCommand } from "./command.js";
import { withInputOptions } from "./input-options.js";
import type { InputFlags } from "./input-options.js";

interface Flags extends InputFlags {
  out?: string;
}

function summaryLines(report: DatasetStatsReport): string[] {
  const lines = [`${report.input.path} (${report.input.format}): ${report.rows} rows, ${Object.entries(report.kinds).map(([k, n]) => `${n} ${k}`).join(", ")}`];
  if (report.robot) {
    const { action, state, numTrajectories, numTransitions } = report.robot;
    lines.push(`  robot: ${numTrajectories} episodes, ${numTransitions} steps`, `  action mean ${formatVector(action.mean)}`, `  action std  ${formatVector(action.std)}`);
    if (state) lines.push(`  state mean  ${formatVector(state.mean)}`);
  }
  if (report.vqa) {
    const v = report.vqa;
    lines.push(`  vqa: ${v.entries} entries, ${v.textOnly} text-only, turns mean ${v.turns?.mean.toFixed(2)}, answer chars p50 ${v.assistantChars?.p50}, images per entry ${JSON.stringify(v.imagesPerEntry)}`);
  }
  return lines;
}

export const statsCommand: CliCommand = {
  name: "stats",
  register(program, { io }) {
    withInputOptions(program.command("stats").argument("<path>", "dataset folder or file").description("dataset statistics as JSON: action/state mean, std, min, max, q01, q99 for robot data; counts, turns, text lengths and images for VQA"))
      .option("-o, --out <file>", "write the JSON here (default: print it)")
      .action(async (path: string, flags: Flags) => {
        const [{ datasetStats, saveDatasetStats }, { inputSpec }] = await Promise.all([import("../stats/dataset-stats.js"), import("./input-spec.js")]);
        const report = await datasetStats(inputSpec(path, flags), { progress: io.stderr });
        if (flags.out === undefined) {
          println(io.stdout, JSON.stringify(report, null, 2));
          return;
        }
        await saveDatasetStats(flags.out, report);
        println(io.stdout, ...summaryLines(report), `wrote ${resolve(flags.out)}`);
      });
  },
};
