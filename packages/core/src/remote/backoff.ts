/**
 * The wait before retry `attempt` (1-based): exponential (`base · 2^(attempt-1)`, capped at `max`) with "equal
 * jitter" (half fixed, half random), so many readers that fail together do not retry together, yet none retries at
 * once. The jitter only spreads timing; it never changes what is read.
 */
export function backoffDelay(attempt: number, base: number, max: number, random: () => number = Math.random): number {
  const ceiling = Math.min(max, base * 2 ** (attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
