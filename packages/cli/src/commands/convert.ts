import { InvalidArgumentError } from "commander";
import { resolve } from "node:path";
import type { ShardFormat } from "@cotrain/core";
import { println } from "../io.js";
import type { CliCommand } from "./command.js";
import { imagePreprocessing, withImageOptions } from "./image-options.js";
import type { ImageFlags } from "./image-options.js";
import { integer, withInputOptions } from "./input-options.js";

interface Flags extends ImageFlags {
  out: string;
  format: ShardFormat;
  inputFormat?: string;
  shard?: string;
  maxRows?: number;
  imageRoot?: string;
  options?: string;
  resume?: boolean;
}

/** The form is checked here; core's parseShardSpec checks the numbers when the command runs. */
const shardSpec = (value: string): string => {
  if (!/^\s*\d+\/\d+\s*$/.test(value)) throw new InvalidArgumentError(`expected "i/n" (e.g. "0/4"), got ${JSON.stringify(value)}`);
  return value;
};

const shardFormat = (value: string): ShardFormat => {
  if (value !== "arrow" && value !== "parquet") throw new InvalidArgumentError(`expected "arrow" or "parquet", got ${JSON.stringify(value)}`);
  return value;
};

/** `224x224 raw (crop, lanczos3)` from the manifest's `meta.images` record. */
function describeImages(record: unknown): string {
  const r = record as { size?: [number, number]; format?: string; resize?: string; kernel?: string; quality?: number | null; shrinkOnLoad?: boolean } | undefined;
  if (!r?.size) return "resized";
  return `${r.size[0]}x${r.size[1]} ${r.format}${r.quality ? ` q${r.quality}` : ""} (${r.resize}, ${r.kernel}${r.shrinkOnLoad ? ", shrink-on-load" : ""})`;
}

export const convertCommand: CliCommand = {
  name: "convert",
  register(program, { io }) {
    const command = program
      .command("convert")
      .argument("<input>", "dataset folder or file (any supported format)")
      .description("convert a dataset into canonical Arrow IPC or Parquet shards with a manifest; --shard i/n splits the work between n jobs; --image-size resizes the images once, here, instead of at every epoch")
      .requiredOption("-o, --out <dir>", "output folder (the n jobs of a --shard i/n run share it)")
      .option("--format <format>", "shard format: arrow or parquet", shardFormat, "arrow" as ShardFormat)
      .option("--shard <i/n>", "convert only part i of n (0-based) of the input's files, episodes or entries", shardSpec)
      .option("--max-rows <n>", "rows per shard file (default 50000)", integer(1))
      .option("--resume", "continue a conversion interrupted in --out from its last complete shard (same input and options); a finished one is left as it is");
    withImageOptions(command);
    // --format names the output format here (as in the design's command line), so the input's is --input-format.
    withInputOptions(command, "-i, --input-format <name>").action(async (input: string, flags: Flags) => {
      const images = await imagePreprocessing(flags, (message) => command.error(`error: ${message}`));
      const [{ convertDataset }, { inputSpec }, { parseShardSpec }] = await Promise.all([import("../convert/convert-dataset.js"), import("./input-spec.js"), import("@cotrain/core")]);
      const shard = flags.shard !== undefined ? parseShardSpec(flags.shard) : undefined;
      const spec = inputSpec(input, { ...(flags.inputFormat ? { format: flags.inputFormat } : {}), ...(flags.imageRoot ? { imageRoot: flags.imageRoot } : {}), ...(flags.options ? { options: flags.options } : {}) });
      const { manifest, input: read, resumed } = await convertDataset(spec, flags.out, {
        format: flags.format,
        progress: io.stderr,
        ...(shard ? { shard } : {}),
        ...(flags.maxRows ? { maxRowsPerShard: flags.maxRows } : {}),
        ...(images ? { images } : {}),
        ...(flags.resume ? { resume: true } : {}),
      });
      const part = shard ? ` (part ${shard.index}/${shard.count})` : "";
      const resized = images ? `, images ${describeImages(manifest.meta?.images)}` : "";
      if (resumed) println(io.stdout, resumed.finished ? "already converted: the folder holds this job's manifest" : `resumed: kept ${resumed.shards} complete shard(s), ${resumed.rows} rows, of the interrupted run`);
      println(io.stdout, `${read.path} (${read.format})${part} → ${manifest.total_rows} rows in ${manifest.shards.length} ${manifest.format} shard(s), ${manifest.total_bytes} bytes${resized}`, `wrote ${resolve(flags.out)}`);
    });
  },
};
