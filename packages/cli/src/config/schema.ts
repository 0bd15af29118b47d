import { z } from "zod";
import "../formats/builtins.js";
import { formatNames, getFormat } from "../formats/registry.js";
import { issueTarget } from "./issues.js";

/**
 * The config file of `cotrain mix` and `cotrain train` (JSON or YAML). Every object is strict, so a misspelt key
 * is an error naming it; a source's `options` are checked against its format's own schema.
 */

const normalization = z.enum(["q01_q99", "mean_std"]);

/** One input: format (or detected from the path), path (relative to the config file), reader options. */
export const inputSchema = z
  .strictObject({
    format: z.string().optional(),
    path: z.string().min(1),
    options: z.record(z.string(), z.unknown()).optional(),
    /** Robot sources: normalize actions/states with statistics computed over this source before training. */
    normalize: z.strictObject({ action: normalization.optional(), state: normalization.optional(), keepGripper: z.boolean().optional() }).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.format === undefined) return;
    if (!formatNames().includes(input.format)) {
      ctx.addIssue({ code: "custom", path: ["format"], message: `unknown format ${JSON.stringify(input.format)}; known formats: ${formatNames().join(", ")}` });
      return;
    }
    const result = getFormat(input.format).options.safeParse(input.options ?? {});
    if (!result.success) {
      const { path, message } = issueTarget(result.error.issues[0]!, ["options"]);
      ctx.addIssue({ code: "custom", path, message });
    }
  });

const weights = z.union([z.record(z.string(), z.number().nonnegative()), z.string(), z.array(z.number().nonnegative())]);
const count = z.number().int().positive();

export const mixtureSchema = z.strictObject({
  /** Ratios by source name, "1:3", or an array in source order (default: equal). Exclusive with schedule. */
  weights: weights.optional(),
  schedule: z.array(z.strictObject({ step: z.number().int().nonnegative(), weights, interpolate: z.enum(["step", "linear"]).optional() })).min(1).optional(),
  batchSize: count,
  mode: z.enum(["exact", "sampled"]).optional(),
  seed: z.union([z.number().int().nonnegative(), z.string()]).optional(),
  order: z.enum(["grouped", "shuffled"]).optional(),
  stop: z.union([z.enum(["first_exhausted", "all_exhausted"]), z.strictObject({ samples: count }), z.strictObject({ steps: count })]).optional(),
  prefetch: z.number().int().nonnegative().optional(),
}).superRefine((m, ctx) => {
  if (m.weights !== undefined && m.schedule !== undefined) ctx.addIssue({ code: "custom", path: ["schedule"], message: "give weights or a schedule, not both" });
});

export const collatorSchema = z.strictObject({
  /** "byte" (built in) or a path to a tokenizer.json (or its folder). */
  tokenizer: z.string().min(1).default("byte"),
  /** Collator worker threads (default: the machine's cores; 0: collate in the main thread). */
  workers: z.number().int().nonnegative().optional(),
  /** Batches collated ahead at once (default 2 per worker). */
  maxPending: z.number().int().positive().optional(),
  template: z.enum(["openvla", "llava_v1", "plain"]).optional(),
  actions: z
    .discriminatedUnion("type", [
      z.strictObject({ type: z.literal("none") }),
      z.strictObject({ type: z.literal("continuous"), dim: count, horizon: count.optional() }),
      z.strictObject({ type: z.literal("tokens"), dim: count, horizon: count.optional(), bins: count.optional(), low: z.number().optional(), high: z.number().optional(), placement: z.enum(["tail", "append"]).optional() }),
    ])
    .optional(),
  image: z
    .strictObject({
      size: z.union([count, z.tuple([count, count])]),
      cameras: z.string().optional(),
      cameraOrder: z.array(z.string()).optional(),
      seed: z.number().int().nonnegative().optional(),
      augment: z.boolean().optional(),
      transform: z
        .strictObject({
          resize: z.enum(["crop", "squash"]).optional(),
          kernel: z.string().optional(),
          normalize: z.union([z.enum(["unit", "siglip", "imagenet", "clip"]), z.strictObject({ mean: z.tuple([z.number(), z.number(), z.number()]), std: z.tuple([z.number(), z.number(), z.number()]) })]).optional(),
          augment: z.union([z.enum(["octo", "openvla", "color"]), z.null()]).optional(),
          centerScale: z.number().positive().max(1).optional(),
          shrinkOnLoad: z.boolean().optional(),
        })
        .optional(),
    })
    .optional(),
  robotText: z.boolean().optional(),
  maxLength: count.optional(),
  padding: z.enum(["longest", "max"]).optional(),
  padToMultipleOf: count.optional(),
  imageTokens: z.number().int().nonnegative().optional(),
});

export const modelSchema = z.strictObject({
  imageSize: z.tuple([count, count]).optional(),
  channels: count.optional(),
  patchSize: count.optional(),
  vocabSize: count.optional(),
  maxTextLen: count.optional(),
  dim: count.optional(),
  layers: count.optional(),
  heads: count.optional(),
  mlpRatio: count.optional(),
  actionMode: z.enum(["continuous", "tokens"]).optional(),
  actionDim: count.optional(),
  actionHorizon: count.optional(),
  actionHidden: count.optional(),
  dropout: z.number().min(0).lt(1).optional(),
});

export const trainOptionsSchema = z.strictObject({
  steps: count,
  seed: z.number().int().nonnegative().optional(),
  backend: z.enum(["auto", "tensorflow", "tensorflow-gpu", "tensorflow-cpu", "wasm", "cpu"]).optional(),
  optimizer: z
    .strictObject({
      lr: z.number().positive().optional(),
      warmupSteps: z.number().int().nonnegative().optional(),
      minLrRatio: z.number().min(0).max(1).optional(),
      clipNorm: z.number().nonnegative().optional(),
      weightDecay: z.number().nonnegative().optional(),
      beta1: z.number().min(0).lt(1).optional(),
      beta2: z.number().min(0).lt(1).optional(),
      epsilon: z.number().positive().optional(),
    })
    .optional(),
  loss: z.strictObject({ lambda: z.number().nonnegative().optional(), action: z.enum(["mse", "l1"]).optional() }).optional(),
  checkpointEvery: z.number().int().nonnegative().optional(),
  keepCheckpoints: z.number().int().nonnegative().optional(),
  logEvery: count.optional(),
  freeze: z.array(z.string().min(1)).optional(),
  /** A checkpoint folder to initialize from (relative to the config file). */
  initFrom: z.string().min(1).optional(),
  resume: z.union([z.boolean(), z.string().min(1)]).optional(),
  progress: z.enum(["auto", "bar", "lines", "none"]).optional(),
  /** Write samples.jsonl: the source and sample_id of every row each step trained on (trainer's logSampleIds). */
  logSampleIds: z.boolean().optional(),
});

export const evaluationSchema = z.strictObject({
  every: count,
  robot: inputSchema.optional(),
  vqa: inputSchema.optional(),
  /** Apply the normalizers of this training source to the robot evaluation set. */
  normalizeAs: z.string().optional(),
  maxBatches: count.optional(),
  /** Batch size of the evaluation readers (default: the mixture's). */
  batchSize: count.optional(),
  exactMatch: z.boolean().optional(),
});

const sourcesSchema = z.record(z.string().regex(/^[\w.-]+$/, "source names may hold letters, digits, _ . -"), inputSchema).refine((s) => Object.keys(s).length > 0, "at least one source is needed");

const configShape = {
  sources: sourcesSchema,
  mixture: mixtureSchema,
  collator: collatorSchema.optional(),
  model: modelSchema.optional(),
  train: trainOptionsSchema.optional(),
  evaluation: evaluationSchema.optional(),
  /** Where `cotrain train` writes the run (relative to the config file; `--out` overrides). */
  runDir: z.string().min(1).optional(),
};

/** Names used across sections must be names of `sources`: weights by name, evaluation.normalizeAs. */
function checkSourceNames(config: { sources: Record<string, unknown>; mixture: z.infer<typeof mixtureSchema>; evaluation?: { normalizeAs?: string | undefined } | undefined }, ctx: z.RefinementCtx): void {
  const names = Object.keys(config.sources);
  const check = (weights: unknown, path: PropertyKey[]): void => {
    if (typeof weights !== "object" || weights === null || Array.isArray(weights)) return;
    for (const key of Object.keys(weights)) {
      if (!names.includes(key)) ctx.addIssue({ code: "custom", path: [...path, key], message: `no source named ${JSON.stringify(key)} (sources: ${names.join(", ")})` });
    }
  };
  check(config.mixture.weights, ["mixture", "weights"]);
  config.mixture.schedule?.forEach((p, i) => check(p.weights, ["mixture", "schedule", i, "weights"]));
  const as = config.evaluation?.normalizeAs;
  if (as !== undefined && !names.includes(as)) ctx.addIssue({ code: "custom", path: ["evaluation", "normalizeAs"], message: `no source named ${JSON.stringify(as)} (sources: ${names.join(", ")})` });
}

/** What `cotrain mix` reads: sources and a mixture; the training sections may be present and are checked too. */
export const mixConfigSchema = z.strictObject(configShape).superRefine(checkSourceNames);

/** What `cotrain train` reads: the mix config plus the collator and the training options. */
export const trainConfigSchema = z.strictObject({ ...configShape, collator: collatorSchema, train: trainOptionsSchema }).superRefine(checkSourceNames);

export type InputConfig = z.infer<typeof inputSchema>;
export type MixtureConfig = z.infer<typeof mixtureSchema>;
export type CollatorConfig = z.infer<typeof collatorSchema>;
export type MixFileConfig = z.infer<typeof mixConfigSchema>;
export type TrainFileConfig = z.infer<typeof trainConfigSchema>;
