/** Runs a job when a slot is free: bounds how many sharp renders are in flight at once. */
export type Limit = <T>(job: () => Promise<T>) => Promise<T>;

/** A limiter with `concurrency` slots; jobs start in the order they were submitted. */
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

/**
 * Yields make(0), make(1), …, make(count − 1) in order while keeping up to `ahead` of them in progress, so a
 * consumer (a writer) streams items that are made concurrently without holding more than `ahead` in memory.
 */
export async function* ordered<T>(count: number, ahead: number, make: (i: number) => Promise<T>): AsyncGenerator<T> {
  const pending: Promise<T>[] = [];
  let next = 0;
  const fill = (): void => {
    while (next < count && pending.length < ahead) {
      const p = make(next++);
      p.catch(() => undefined); // observed when awaited; avoids an unhandled rejection while it waits its turn
      pending.push(p);
    }
  };
  fill();
  while (pending.length > 0) {
    const item = await (pending.shift() as Promise<T>);
    fill();
    yield item;
  }
}
