import "./formats/builtins.js";

// The command line, runnable in-process.
export { runCli, createProgram, VERSION } from "./cli.js";
export { COMMANDS } from "./commands/index.js";
export type { CliCommand, CliContext } from "./commands/command.js";
export type { CliIo, OutputStream } from "./io.js";
export { formatError } from "./errors.js";

// Formats by name, and detection from a path.
export { registerFormat, getFormat, formatNames, listFormats } from "./formats/registry.js";
export { BUILTIN_FORMAT_NAMES } from "./formats/names.js";
export type { DatasetFormat, DatasetSummary, FormatInput } from "./formats/registry.js";
export { detectFormat } from "./formats/detect.js";
export { openInput, resolveInput } from "./formats/open-input.js";
export type { InputSpec, ResolvedInput, ResolveInputOptions } from "./formats/open-input.js";

// The commands' work, as functions.
export { inspectDataset } from "./inspect/inspect-dataset.js";
export type { InspectOptions, InspectReport } from "./inspect/inspect-dataset.js";
export type { SampleView, SampleImage } from "./inspect/sample-view.js";
export { datasetStats, saveDatasetStats } from "./stats/dataset-stats.js";
export type { DatasetStatsReport, DatasetStatsOptions } from "./stats/dataset-stats.js";
export type { VqaStats } from "./stats/vqa-stats.js";
export type { Distribution } from "./stats/summary.js";
export { convertDataset } from "./convert/convert-dataset.js";
export type { ConvertOptions, ConvertResult } from "./convert/convert-dataset.js";
export { previewMix } from "./mix/preview-mix.js";
export type { MixPreview, MixPreviewBatch } from "./mix/preview-mix.js";
export { runTraining, RUN_CONFIG_NAME } from "./train/run-training.js";
export type { RunTrainingOptions, TrainingSummary } from "./train/run-training.js";
export { buildCollator } from "./train/build-collator.js";
export { writeRunReport, METRICS_FILE } from "./report/run-report.js";
export type { RunReport, RunReportOptions, ReportSection, ReportPlot } from "./report/run-report.js";
export { escapeHtml, htmlTable, htmlPage } from "./report/html.js";

// Config files.
export { loadConfig, parseConfig, resolveFrom } from "./config/load-config.js";
export { mixConfigSchema, trainConfigSchema, inputSchema, mixtureSchema, collatorSchema, modelSchema, trainOptionsSchema, evaluationSchema } from "./config/schema.js";
export type { InputConfig, MixtureConfig, CollatorConfig, MixFileConfig, TrainFileConfig } from "./config/schema.js";
export { buildSource, buildSources } from "./config/build-sources.js";
export type { BuiltSource } from "./config/build-sources.js";
export { buildMixer } from "./config/build-mixer.js";

// Building blocks for other commands (the demo).
export { createProgress } from "./progress.js";
export type { Progress, ProgressOptions } from "./progress.js";
export { progressLine, formatRate, formatDuration, etaSeconds } from "./progress-format.js";
export type { ProgressState } from "./progress-format.js";
export { progressPlan, episodeStarts, withProgress } from "./progress-plan.js";
export type { ProgressPlan } from "./progress-plan.js";
export { formatTable } from "./text/table.js";
export { lineChartSvg, barChartSvg } from "./report/svg-chart.js";
export type { Series, ChartOptions, BarGroup } from "./report/svg-chart.js";
export { svgToPng } from "./report/png.js";
// The main job: the co-training experiment.
export { runDemo } from "./demo/run-demo.js";
export type { DemoOptions } from "./demo/run-demo.js";
export { DEFAULT_SIZES, QUICK_SIZES, SWEEP_SHARES } from "./demo/demo-config.js";
export type { DemoSizes } from "./demo/demo-config.js";
export { resultTable, comparisonLines, formatSpread, writeDemoReport } from "./demo/demo-report.js";
export type { DemoResult } from "./demo/demo-report.js";
export { demoArms, ROBOT_ONLY, COTRAIN, COTRAIN_TOKENS } from "./demo/arms.js";
export type { ArmResult, ArmSpec, Measures } from "./demo/arms.js";
export { scoreActions, episodeOfSample } from "./demo/action-score.js";
export type { ActionScore } from "./demo/action-score.js";
export { summarizeSeeds, spreadOf, PRETRAINED, SUMMARY_METRICS } from "./demo/seed-summary.js";
export type { SeedRun, SeedSummary, ArmSummary, Comparison, Spread, SummaryMetric } from "./demo/seed-summary.js";
