/** Runs a job when a slot is free: bounds how much async work (file reads, image decodes, renders) is in flight. */
export type Limit = <T>(job: () => Promise<T>) => Promise<T>;

/** A limiter with `concurrency` slots (a plain semaphore); jobs start in the order they were submitted. */
export function limiter(concurrency: number): Limit {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    // A finishing job hands its slot straight to the next waiting one, so `active` never overshoots.
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
