import { ConfigError, ValueError } from "@cotrain/core";

/**
 * Where action token ids live:
 * - "tail" (OpenVLA): the last `bins` ids of the text vocabulary, bin b ↦ vocabSize - 1 - b. The model keeps its
 *   vocabulary size; those (least used) text tokens are given up. The collator checks that text never produces
 *   them (see `textCollision`), and the byte-level tokenizer reserves them so they cannot occur.
 * - "append": new ids after the vocabulary, bin b ↦ vocabSize + b. Never collides; the model's vocabulary grows
 *   by `bins` (`modelVocabSize`).
 */
export type ActionTokenPlacement = "tail" | "append";

export interface UniformBinsOptions {
  /** Size of the text tokenizer's vocabulary (`tokenizer.vocabSize`). */
  vocabSize: number;
  /** Action dimensions D. */
  dim: number;
  /** Bins per dimension (default 256). */
  bins?: number;
  /** The normalized range (default [-1, 1]); values outside are clipped to it. */
  low?: number;
  high?: number;
  placement?: ActionTokenPlacement;
}

export interface QuantileBinsOptions {
  vocabSize: number;
  /** Per dimension, bins + 1 non-decreasing edges (e.g. quantiles 0, 1/n, …, 1 of the dataset's actions). */
  edges: readonly ArrayLike<number>[];
  placement?: ActionTokenPlacement;
}

type Binning = { kind: "uniform"; low: number; high: number } | { kind: "quantile"; edges: Float64Array[] };

/**
 * Maps continuous (normalized) actions to token ids and back. Every dimension uses the same `bins` ids (as in
 * OpenVLA / RT-2); a flattened chunk H×D encodes to H×D ids. decode gives bin centers, so decode(encode(a)) is
 * within half a bin of a (after clipping to the binned range).
 */
export type ActionTokenizerJson =
  | { kind: "uniform"; dim: number; bins: number; vocabSize: number; placement: ActionTokenPlacement; low: number; high: number }
  | { kind: "quantile"; dim: number; bins: number; vocabSize: number; placement: ActionTokenPlacement; edges: number[][] };

export class ActionTokenizer {
  readonly dim: number;
  readonly bins: number;
  readonly vocabSize: number;
  readonly placement: ActionTokenPlacement;
  /** Lowest action id and one past the highest. */
  readonly firstId: number;
  readonly endId: number;
  /** The vocabulary size the model needs (vocabSize, or vocabSize + bins when appended). */
  readonly modelVocabSize: number;
  private readonly binning: Binning;

  private constructor(dim: number, bins: number, vocabSize: number, placement: ActionTokenPlacement, binning: Binning) {
    if (!Number.isInteger(dim) || dim < 1) throw new ConfigError("ACTION_DIM", `\`dim\` must be a positive integer, got ${dim}`);
    if (!Number.isInteger(bins) || bins < 2) throw new ConfigError("ACTION_BINS", `\`bins\` must be an integer ≥ 2, got ${bins}`);
    if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new ConfigError("ACTION_VOCAB", `\`vocabSize\` must be a positive integer, got ${vocabSize}`);
    if (placement !== "tail" && placement !== "append") throw new ConfigError("ACTION_PLACEMENT", `\`placement\` must be "tail" or "append", got ${JSON.stringify(placement)}`);
    if (placement === "tail" && bins > vocabSize) throw new ConfigError("ACTION_VOCAB", `${bins} bins do not fit in a vocabulary of ${vocabSize}`);
    this.dim = dim;
    this.bins = bins;
    this.vocabSize = vocabSize;
    this.placement = placement;
    this.binning = binning;
    this.firstId = placement === "tail" ? vocabSize - bins : vocabSize;
    this.endId = this.firstId + bins;
    this.modelVocabSize = placement === "tail" ? vocabSize : vocabSize + bins;
  }

  /** `bins` equal-width bins over [low, high] (default 256 over [-1, 1]). */
  static uniform(options: UniformBinsOptions): ActionTokenizer {
    const low = options.low ?? -1;
    const high = options.high ?? 1;
    if (!Number.isFinite(low) || !Number.isFinite(high) || !(high > low)) throw new ConfigError("ACTION_RANGE", `need finite low < high, got [${low}, ${high}]`);
    return new ActionTokenizer(options.dim, options.bins ?? 256, options.vocabSize, options.placement ?? "tail", { kind: "uniform", low, high });
  }

  /** Bins between given per-dimension edges (quantiles of the dataset's actions), all dims with the same count. */
  static quantile(options: QuantileBinsOptions): ActionTokenizer {
    const edges = options.edges.map((e) => Float64Array.from(e));
    const bins = (edges[0]?.length ?? 0) - 1;
    edges.forEach((e, d) => {
      if (e.length !== bins + 1) throw new ConfigError("ACTION_EDGES", `dimension ${d} has ${e.length} edges, dimension 0 has ${bins + 1}`);
      for (let k = 0; k < e.length; k++) {
        if (!Number.isFinite(e[k] as number)) throw new ConfigError("ACTION_EDGES", `dimension ${d} edge ${k} is not finite (${e[k]})`);
        if (k > 0 && (e[k] as number) < (e[k - 1] as number)) throw new ConfigError("ACTION_EDGES", `dimension ${d} edges decrease at ${k} (${e[k - 1]} > ${e[k]})`);
      }
      if ((e[bins] as number) <= (e[0] as number)) throw new ConfigError("ACTION_EDGES", `dimension ${d} edges span nothing ([${e[0]}, ${e[bins]}])`);
    });
    return new ActionTokenizer(edges.length, bins, options.vocabSize, options.placement ?? "tail", { kind: "quantile", edges });
  }

  /** Plain data that `ActionTokenizer.fromJSON` turns back into this tokenizer (for checkpoints and worker threads). */
  toJSON(): ActionTokenizerJson {
    const b = this.binning;
    const common = { dim: this.dim, bins: this.bins, vocabSize: this.vocabSize, placement: this.placement };
    return b.kind === "uniform" ? { ...common, kind: "uniform", low: b.low, high: b.high } : { ...common, kind: "quantile", edges: b.edges.map((e) => Array.from(e)) };
  }

  static fromJSON(json: ActionTokenizerJson): ActionTokenizer {
    if (json.kind === "uniform") return ActionTokenizer.uniform({ dim: json.dim, bins: json.bins, vocabSize: json.vocabSize, placement: json.placement, low: json.low, high: json.high });
    if (json.kind === "quantile") return ActionTokenizer.quantile({ edges: json.edges, vocabSize: json.vocabSize, placement: json.placement });
    throw new ConfigError("ACTION_TOKENIZER_JSON", `unknown action tokenizer kind ${JSON.stringify((json as { kind: unknown }).kind)}`);
  }

  /** The bin of `value` in dimension `d` (clipped to the binned range). */
  binOf(value: number, d: number): number {
    if (!Number.isFinite(value)) throw new ValueError("ACTION_NOT_FINITE", `action value ${value} in dimension ${d} is not finite`);
    const b = this.binning;
    if (b.kind === "uniform") {
      const x = Math.floor(((value - b.low) * this.bins) / (b.high - b.low));
      return x < 0 ? 0 : x >= this.bins ? this.bins - 1 : x;
    }
    const e = b.edges[d] as Float64Array;
    // Largest k with e[k] <= value, kept within 0..bins-1 (binary search).
    let lo = 0;
    let hi = this.bins - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((e[mid] as number) <= value) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The center of bin `bin` in dimension `d`: what decode returns. */
  center(bin: number, d: number): number {
    const b = this.binning;
    if (b.kind === "uniform") return b.low + ((bin + 0.5) * (b.high - b.low)) / this.bins;
    const e = b.edges[d] as Float64Array;
    return ((e[bin] as number) + (e[bin + 1] as number)) / 2;
  }

  /** Half the width of bin `bin` in dimension `d`: the round-trip error bound. */
  halfWidth(bin: number, d: number): number {
    const b = this.binning;
    if (b.kind === "uniform") return (b.high - b.low) / this.bins / 2;
    const e = b.edges[d] as Float64Array;
    return ((e[bin + 1] as number) - (e[bin] as number)) / 2;
  }

  idOfBin(bin: number): number {
    return this.placement === "tail" ? this.vocabSize - 1 - bin : this.vocabSize + bin;
  }

  binOfId(id: number): number {
    if (!this.isActionId(id)) throw new RangeError(`id ${id} is not an action token (range ${this.firstId}..${this.endId - 1})`);
    return this.placement === "tail" ? this.vocabSize - 1 - id : id - this.vocabSize;
  }

  isActionId(id: number): boolean {
    return id >= this.firstId && id < this.endId;
  }

  /** Ids of a flattened action (D values, or a chunk of H×D), dimension k % D for value k. */
  encode(values: ArrayLike<number>): Int32Array {
    if (values.length % this.dim !== 0) throw new ValueError("ACTION_SHAPE", `${values.length} action values are not a multiple of dim ${this.dim}`);
    const out = new Int32Array(values.length);
    for (let k = 0; k < values.length; k++) out[k] = this.idOfBin(this.binOf(values[k] as number, k % this.dim));
    return out;
  }

  /** Bin centers for action ids (length a multiple of D). */
  decode(ids: ArrayLike<number>): Float32Array {
    if (ids.length % this.dim !== 0) throw new ValueError("ACTION_SHAPE", `${ids.length} action ids are not a multiple of dim ${this.dim}`);
    const out = new Float32Array(ids.length);
    for (let k = 0; k < ids.length; k++) out[k] = this.center(this.binOfId(ids[k] as number), k % this.dim);
    return out;
  }

  /** A short label for an action id (used by describe). */
  describeId(id: number): string {
    return `<act bin=${this.binOfId(id)}>`;
  }
}
