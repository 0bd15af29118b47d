import { ConfigError } from "@cotrain/core";
import { mix } from "@cotrain/mixer";
import type { Mixer, MixOptions } from "@cotrain/mixer";
import type { BuiltSource } from "./build-sources.js";
import type { MixtureConfig } from "./schema.js";

/**
 * The mixer of a config's sources; without weights or schedule every source weighs the same. The mixer's own
 * ConfigErrors name its option (`batchSize`); they are re-raised naming the config key (`mixture.batchSize`).
 */
export function buildMixer(sources: readonly BuiltSource[], mixture: MixtureConfig, file?: string): Mixer {
  const { weights, schedule, ...rest } = mixture;
  const options: MixOptions = {
    ...rest,
    sources: Object.fromEntries(sources.map((s) => [s.name, s.source])),
    ...(schedule ? { schedule } : { weights: weights ?? Object.fromEntries(sources.map((s) => [s.name, 1])) }),
  };
  try {
    return mix(options);
  } catch (error) {
    if (!(error instanceof ConfigError) || error.field === undefined) throw error;
    const prefix = `field ${JSON.stringify(error.field)}: `;
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    throw new ConfigError(error.code, message, { field: `mixture.${error.field}`, ...(file ? { file } : {}), cause: error });
  }
}
