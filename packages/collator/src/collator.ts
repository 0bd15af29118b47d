import type { RecordBatch } from "apache-arrow";
import { ConfigError, isInt, stateField } from "@cotrain/core";
import type { JsonValue } from "@cotrain/core";
import type { Batch } from "./batch.js";
import type { ActionTokenizer } from "./actions/action-tokenizer.js";
import { assignSources, createCollateCore } from "./collate-core.js";
import type { CollateCore } from "./collate-core.js";
import { describeRow } from "./describe.js";
import type { CollatorOptions } from "./options.js";
import { addStats, emptyStats } from "./stats.js";
import type { CollatorStats } from "./stats.js";
import type { PromptTemplate } from "./templates/types.js";
import type { TextTokenizer } from "./tokenizer/types.js";

/** The collate function, with its configuration and counters attached. */
export type Collator = ((batch: RecordBatch) => Promise<Batch>) & {
  readonly tokenizer: TextTokenizer;
  readonly template: PromptTemplate;
  readonly actionTokenizer: ActionTokenizer | null;
  /** Ids are < vocabSize (text vocabulary plus appended action tokens). */
  readonly vocabSize: number;
  stats(): CollatorStats;
  resetStats(): void;
  setEpoch(epoch: number): void;
  /** {epoch, sourceNames, stats}: what a checkpoint keeps so source ids and counters continue after a resume. */
  state(): JsonValue;
  restore(state: JsonValue): void;
  /** describeRow bound to this collator's tokenizers. */
  describe(batch: Batch, row: number, options?: { padding?: boolean }): string;
};

/**
 * Turns a canonical RecordBatch (robot and web rows mixed) into a training Batch of typed arrays with the loss
 * masks of DESIGN.md "Loss masking". Deterministic: the same batch, options and epoch give the same arrays.
 * Batches are collated one after another in this thread (awaiting each); createCollatorPool spreads the same work
 * over worker threads with the same results.
 */
export function createCollator(options: CollatorOptions): Collator {
  const core = createCollateCore(options);
  const counters = createCollatorCounters(options);
  const collate = async (batch: RecordBatch): Promise<Batch> => {
    const names = counters.assign(batch);
    const result = await core.run(batch, counters.epoch(), names);
    counters.add(result.stats);
    return result.batch;
  };
  return Object.assign(collate, collatorSurface(core, counters));
}

/** What every collator carries beside its function: its configuration, counters and state (shared with the pool). */
export function collatorSurface(core: CollateCore, counters: CollatorCounters): Pick<Collator, "tokenizer" | "template" | "actionTokenizer" | "vocabSize" | "describe"> & CollatorCounters["api"] {
  return {
    tokenizer: core.tokenizer,
    template: core.template,
    actionTokenizer: core.actionTokenizer,
    vocabSize: core.vocabSize,
    describe: (batch: Batch, row: number, o: { padding?: boolean } = {}): string => describeRow(batch, row, { tokenizer: core.tokenizer, actionTokenizer: core.actionTokenizer, ...o }),
    ...counters.api,
  };
}

/** The stream-ordered part of a collator: epoch, source ids and counters, with their state. Shared with the pool. */
export interface CollatorCounters {
  epoch(): number;
  /** Ids for the batch's sources (in stream order); returns the names known after it. */
  assign(batch: RecordBatch): string[];
  add(stats: CollatorStats): void;
  api: {
    stats(): CollatorStats;
    resetStats(): void;
    setEpoch(epoch: number): void;
    state(): JsonValue;
    restore(state: JsonValue): void;
  };
}

export function createCollatorCounters(options: Pick<CollatorOptions, "epoch" | "sourceNames">): CollatorCounters {
  const sourceNames = [...(options.sourceNames ?? [])];
  const sourceIndex = new Map(sourceNames.map((n, i) => [n, i]));
  let epoch = options.epoch ?? 0;
  if (!Number.isInteger(epoch) || epoch < 0) throw new ConfigError("COLLATOR_EPOCH", `\`epoch\` must be a non-negative integer, got ${epoch}`);
  let stats = emptyStats();
  const setEpoch = (e: number): void => {
    if (!Number.isInteger(e) || e < 0) throw new RangeError(`epoch must be a non-negative integer, got ${e}`);
    epoch = e;
  };
  const restore = (state: JsonValue): void => {
    const e = stateField<number>(state, "epoch", isInt, "collator");
    const names = stateField<string[]>(state, "sourceNames", (v) => Array.isArray(v) && v.every((x) => typeof x === "string"), "collator");
    const saved = stateField<JsonValue>(state, "stats", (v) => typeof v === "object" && v !== null && !Array.isArray(v), "collator");
    if (names.some((n, i) => sourceNames[i] !== undefined && sourceNames[i] !== n)) {
      throw new TypeError(`collator.restore: saved source order ${JSON.stringify(names)} conflicts with ${JSON.stringify(sourceNames)}`);
    }
    setEpoch(e);
    sourceNames.splice(0, sourceNames.length, ...names);
    sourceIndex.clear();
    names.forEach((n, i) => sourceIndex.set(n, i));
    stats = { ...emptyStats(), ...(structuredClone(saved) as unknown as CollatorStats) };
  };
  return {
    epoch: () => epoch,
    assign: (batch) => {
      assignSources(batch, sourceNames, sourceIndex);
      return [...sourceNames];
    },
    add: (delta) => addStats(stats, delta),
    api: {
      stats: (): CollatorStats => structuredClone(stats),
      resetStats: (): void => void (stats = emptyStats()),
      setEpoch,
      state: (): JsonValue => ({ epoch, sourceNames: [...sourceNames], stats: structuredClone(stats) as unknown as JsonValue }),
      restore,
    },
  };
}
