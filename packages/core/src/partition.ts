/**
 * `--shard i/n` partitioning: every input is assigned to exactly one of n workers. Inputs are sorted by their
 * name first, so every worker computes the same assignment from the same set whatever order it listed them in;
 * then input k goes to worker k mod n, which balances counts to within one.
 */
export interface ShardSpec {
  index: number;
  count: number;
}

export function parseShardSpec(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) throw new RangeError(`shard must look like "i/n" (e.g. "0/4"), got ${JSON.stringify(text)}`);
  return validateShardSpec({ index: Number(match[1]), count: Number(match[2]) });
}

export function validateShardSpec(spec: ShardSpec): ShardSpec {
  const { index, count } = spec;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shard count must be a positive integer, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new RangeError(`shard index must be in 0..${count - 1}, got ${index}`);
  return spec;
}

/** The inputs that worker `spec.index` of `spec.count` owns. */
export function partitionInputs<T>(inputs: readonly T[], spec: ShardSpec, nameOf: (input: T) => string = String): T[] {
  validateShardSpec(spec);
  const sorted = [...inputs].sort((a, b) => {
    const x = nameOf(a);
    const y = nameOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return sorted.filter((_, k) => k % spec.count === spec.index);
}
