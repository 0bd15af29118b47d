/**
 * A seeded, splittable PRNG whose sequence is identical in every process and on every platform: xoshiro128**
 * over 32-bit integer arithmetic (Math.imul, >>> 0), seeded through splitmix32. No floating-point step feeds back
 * into the state, so the stream depends only on the seed. Library code never uses Math.random.
 */
export type RngState = readonly [number, number, number, number];
export type SeedLike = number | string;

const GOLDEN = 0x9e3779b9;

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Hashes a seed and any number of keys into one 32-bit value (order matters). */
export function hashSeed(seed: SeedLike, ...keys: readonly SeedLike[]): number {
  let h = 0x811c9dc5;
  const feed = (part: SeedLike): void => {
    if (typeof part === "number") {
      if (!Number.isFinite(part)) throw new RangeError(`seed parts must be finite numbers or strings, got ${part}`);
      // Integers up to 2^53 hash by both 32-bit halves so 1 and 2^32 + 1 differ.
      const lo = part >>> 0;
      const hi = Math.floor(part / 4294967296) >>> 0;
      h = mix32(h ^ lo ^ 0x6a09e667);
      h = mix32(h ^ hi ^ 0xbb67ae85);
    } else {
      h = mix32(h ^ 0x3c6ef372);
      for (let i = 0; i < part.length; i++) h = mix32(h ^ part.charCodeAt(i));
      h = mix32(h ^ part.length);
    }
  };
  feed(seed);
  for (const key of keys) feed(key);
  return h >>> 0;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(state: RngState) {
    [this.s0, this.s1, this.s2, this.s3] = state;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = GOLDEN; // all-zero is xoshiro's fixed point
  }

  /** A generator from a seed and optional derivation keys: `Rng.from(42, "shuffle", epoch)`. */
  static from(seed: SeedLike, ...keys: readonly SeedLike[]): Rng {
    let x = hashSeed(seed, ...keys);
    const next = (): number => {
      x = (x + GOLDEN) >>> 0;
      return mix32(x);
    };
    return new Rng([next(), next(), next(), next()]);
  }

  static fromState(state: RngState): Rng {
    if (!Array.isArray(state) || state.length !== 4 || !state.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
      throw new TypeError(`Rng state must be four uint32 values, got ${JSON.stringify(state)}`);
    }
    return new Rng(state);
  }

  state(): RngState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** A child generator keyed by `keys`, independent of how far this one has advanced. */
  derive(...keys: readonly SeedLike[]): Rng {
    return Rng.from(hashSeed(this.s0 ^ this.s2, this.s1, this.s3), ...keys);
  }

  /** Next uint32. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.uint32() >>> 5;
    const lo = this.uint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** Unbiased integer in [0, n), n ≤ 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) throw new RangeError(`Rng.int(n) needs an integer 1..2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const v = this.uint32();
      if (v < limit) return v % n;
    }
  }

  /** Standard normal (Box-Muller; one draw consumes two floats so the stream stays simple to reason about). */
  normal(): number {
    const u = 1 - this.float();
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i] as T;
      items[i] = items[j] as T;
      items[j] = tmp;
    }
    return items;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i] as number;
      out[i] = out[j] as number;
      out[j] = tmp;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
