import type { RecordBatch } from "apache-arrow";
import { ConfigError } from "@cotrain/core";
import type { JsonValue, Source } from "@cotrain/core";
import { assemble } from "./assemble.js";
import { parseMixerState, STATE_VERSION } from "./mixer-state.js";
import type { Identity, MixerCounters } from "./mixer-state.js";
import { resolveOptions } from "./options.js";
import type { MixConfig, MixOptions, Resolved } from "./options.js";
import { PrefetchingReader } from "./prefetch.js";
import { planExact } from "./quota.js";
import { drawSampled } from "./sampler.js";
import type { MixStats, StopInfo } from "./stats.js";

/** The mixer: a Source of mixed batches that also reports its accounting and its effective configuration. */
export interface Mixer extends Source {
  stats(): MixStats;
  config(): MixConfig;
}

/**
 * Mixes N sources of canonical RecordBatches into batches of `batchSize` rows in the configured proportions.
 * Every option is validated here, before any data is read (ConfigError naming the option and the value).
 */
export function mix(options: MixOptions): Mixer {
  return new MixerSource(resolveOptions(options));
}

interface Plan {
  counts: number[];
  targets: number[];
  drawn: ArrayLike<number> | null;
}

class MixerSource implements Mixer {
  private readonly readers: PrefetchingReader[];
  private readonly identity: Identity;
  private c: MixerCounters;
  private running = false;

  constructor(private readonly r: Resolved) {
    const { prefetch } = r.config;
    this.readers = r.names.map((name, i) => new PrefetchingReader(name, r.sources[i] as Source, { prefetch, repeat: r.repeat, schema: r.schema }));
    this.identity = { sources: r.names, mode: r.config.mode, rank: r.config.rank, worldSize: r.config.worldSize };
    const zeros = r.names.map(() => 0);
    this.c = { step: 0, epoch: 0, epochStep: 0, epochRows: 0, delivered: [...zeros], targets: [...zeros], stopped: null, checked: false };
  }

  async next(): Promise<RecordBatch | null> {
    if (this.running) throw new Error("mix: next() was called again before the previous call finished");
    this.running = true;
    try {
      return await this.step();
    } finally {
      this.running = false;
    }
  }

  private async step(): Promise<RecordBatch | null> {
    const { config, schedule, schema } = this.r;
    const c = this.c;
    if (c.stopped !== null) return null;
    if (!c.checked) await this.checkFirstReads();
    const rows = this.rowsThisStep();
    if (rows === 0) return this.stop({ reason: typeof config.stop === "object" && "samples" in config.stop ? "samples" : "steps" });
    const weights = schedule.weightsAt(c.step);
    if (config.stop === "all_exhausted" && (await this.allExhausted(weights))) return this.stop({ reason: "all_exhausted" });

    const plan = this.plan(weights, rows);
    const { rank, worldSize } = config;
    const got = await Promise.all(this.readers.map((reader, i) => ((plan.counts[i] as number) > 0 ? reader.fill(worldSize * (plan.counts[i] as number)) : 0)));
    const short = plan.counts.findIndex((n, i) => (got[i] as number) < worldSize * n);
    if (short >= 0) return this.stop({ reason: "first_exhausted", source: this.r.names[short] as string });

    // Every rank reads the same global chunk of worldSize × count rows per source and keeps its own slice of it.
    const parts = this.readers.map((reader, i) => {
      const n = plan.counts[i] as number;
      if (n === 0) return [];
      reader.skip(rank * n);
      const mine = reader.take(n);
      reader.skip((worldSize - 1 - rank) * n);
      return mine;
    });
    const batch = assemble(parts, schema, config.order, config.seed, c.step, plan.drawn);
    plan.counts.forEach((n, i) => (c.delivered[i]! += n));
    c.targets = plan.targets;
    c.step++;
    c.epochStep++;
    c.epochRows += rows;
    return batch;
  }

  private plan(weights: readonly number[], rows: number): Plan {
    const { mode, seed, batchSize } = this.r.config;
    const targets = this.c.targets.map((t, i) => t + (weights[i] as number) * rows);
    if (mode === "sampled") {
      const draw = drawSampled(seed, this.c.step, weights, rows);
      return { counts: draw.counts, targets, drawn: draw.sources };
    }
    const quotas = weights.map((w) => w * rows);
    const counts = planExact(targets, this.c.delivered, quotas, rows, this.r.schedule.deadlineAfter(this.c.step, batchSize));
    return { counts, targets, drawn: null };
  }

  private rowsThisStep(): number {
    const { stop, batchSize } = this.r.config;
    if (typeof stop === "object" && "steps" in stop) return this.c.epochStep >= stop.steps ? 0 : batchSize;
    if (typeof stop === "object" && "samples" in stop) return Math.min(batchSize, stop.samples - this.c.epochRows);
    return batchSize;
  }

  /** all_exhausted: stop at the first batch boundary where every source drawn from has passed an end of epoch. */
  private async allExhausted(weights: readonly number[]): Promise<boolean> {
    const used = this.readers.filter((_, i) => (weights[i] as number) > 0);
    const ends = await Promise.all(used.map((reader) => reader.atEnd()));
    used.forEach((reader, k) => ends[k] && reader.passEnd());
    return used.every((reader) => reader.queue.passed > 0);
  }

  /** A source that yields nothing at its first read is a configuration error, raised before any batch. */
  private async checkFirstReads(): Promise<void> {
    const used = this.readers.filter((_, i) => this.r.schedule.everUsed(i));
    const ends = await Promise.all(used.map((reader) => reader.atEnd()));
    const empty = used.filter((_, k) => ends[k]).map((reader) => reader.name);
    if (empty.length > 0) {
      throw new ConfigError("MIX_EMPTY_SOURCE", `mix source(s) ${empty.map((e) => JSON.stringify(e)).join(", ")} yielded no rows at the first read`, { id: empty[0] as string });
    }
    this.c.checked = true;
  }

  private stop(info: StopInfo): null {
    this.c.stopped = info;
    return null;
  }

  state(): JsonValue {
    const readers = Object.fromEntries(this.readers.map((reader) => [reader.name, reader.state() as JsonValue]));
    const c = this.c;
    const counters = { ...c, delivered: [...c.delivered], targets: [...c.targets], stopped: c.stopped === null ? null : { ...c.stopped } };
    return { version: STATE_VERSION, ...this.identity, ...(counters as unknown as Record<string, JsonValue>), readers };
  }

  restore(state: JsonValue): void {
    const { counters, readers } = parseMixerState(state, this.identity);
    this.readers.forEach((reader) => reader.restore(readers[reader.name] as JsonValue));
    this.c = counters;
  }

  /**
   * Starts a new epoch of the mixture: every source restarts with its next epoch number (a source not yet read in
   * its current epoch keeps it), the stop policy starts over. The step, the schedule and the cumulative quota
   * counters continue, so proportions and curricula run across epochs.
   */
  reset(epoch?: number): void {
    this.c.epoch = epoch ?? this.c.epoch + 1;
    this.c.epochStep = 0;
    this.c.epochRows = 0;
    this.c.stopped = null;
    for (const reader of this.readers) reader.reset(reader.queue.position === 0 ? reader.queue.epoch : reader.queue.epoch + 1);
  }

  stats(): MixStats {
    const { names, schedule } = this.r;
    const { delivered, targets } = this.c;
    const rows = delivered.reduce((a, b) => a + b, 0);
    const targetRows = targets.reduce((a, b) => a + b, 0);
    const weights = schedule.weightsAt(this.c.step);
    const sources = Object.fromEntries(
      this.readers.map((reader, i) => [
        names[i] as string,
        {
          delivered: delivered[i] as number,
          share: rows > 0 ? (delivered[i] as number) / rows : 0,
          targetShare: targetRows > 0 ? (targets[i] as number) / targetRows : (weights[i] as number),
          weight: weights[i] as number,
          epochs: reader.queue.completed,
          epoch: reader.queue.epoch,
          position: reader.queue.position,
          skipped: reader.skipped() ?? null,
        },
      ]),
    );
    return { step: this.c.step, epoch: this.c.epoch, rows, stopped: this.c.stopped === null ? null : { ...this.c.stopped }, sources };
  }

  config(): MixConfig {
    return structuredClone(this.r.config);
  }

  describe(): string {
    const { config, names } = this.r;
    const weights = config.schedule.length > 1 ? `schedule(${config.schedule.length} points)` : names.map((n) => `${n}=${round(config.weights[n] as number)}`).join(" ");
    const stop = typeof config.stop === "string" ? config.stop : JSON.stringify(config.stop);
    const rank = config.worldSize > 1 ? `, rank ${config.rank}/${config.worldSize}` : "";
    const inputs = this.readers.map((reader) => `${reader.name}: ${reader.describe()}`).join("; ");
    return `mix(${config.mode}, batch=${config.batchSize}, ${weights}, order=${config.order}, stop=${stop}, seed=${String(config.seed)}${rank}) <- [${inputs}]`;
  }

  async close(): Promise<void> {
    await Promise.all(this.readers.map((reader) => reader.close()));
  }
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
