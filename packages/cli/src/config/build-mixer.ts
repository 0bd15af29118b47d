import { mix } from "@cotrain/mixer";
import type { Mixer, MixOptions } from "@cotrain/mixer";
import type { BuiltSource } from "./build-sources.js";
import type { MixtureConfig } from "./schema.js";

/** The mixer of a config's sources; without weights or schedule every source weighs the same. */
export function buildMixer(sources: readonly BuiltSource[], mixture: MixtureConfig): Mixer {
  const { weights, schedule, ...rest } = mixture;
  const options: MixOptions = {
    ...rest,
    sources: Object.fromEntries(sources.map((s) => [s.name, s.source])),
    ...(schedule ? { schedule } : { weights: weights ?? Object.fromEntries(sources.map((s) => [s.name, 1])) }),
  };
  return mix(options);
}
