/**
 * Splits one async stream into `count` streams that each see every item, so one rendered episode feeds both the
 * RLDS and the LeRobot writer without rendering twice or holding the dataset in memory. At most `maxBuffer`
 * items wait for the slowest consumer; a faster one pauses until it catches up. The consumers must therefore
 * run concurrently (e.g. under one Promise.all). A consumer that stops early (break, throw) no longer holds the
 * others back; an error of the source reaches every consumer.
 */
export interface TeeStream<T> extends AsyncIterable<T> {
  /** Stops this consumer (as a `return()` would): for a consumer that failed without closing its iterator. */
  cancel(): void;
}

export function tee<T>(source: AsyncIterable<T>, count: number, maxBuffer = 16): TeeStream<T>[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  if (!Number.isInteger(maxBuffer) || maxBuffer < 1) throw new RangeError(`maxBuffer must be a positive integer, got ${maxBuffer}`);
  const it = source[Symbol.asyncIterator]();
  const buffer: T[] = [];
  let base = 0; // stream index of buffer[0]
  let ended = false;
  let failure: { error: unknown } | null = null;
  let pulling: Promise<void> | null = null;
  const positions = new Array<number>(count).fill(0);
  const active = new Array<boolean>(count).fill(true);
  let waiters: (() => void)[] = [];

  const wake = (): void => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const trim = (): void => {
    const open = positions.filter((_, k) => active[k]);
    const slowest = open.length > 0 ? Math.min(...open) : base + buffer.length;
    while (base < slowest) {
      buffer.shift();
      base++;
    }
    wake();
  };
  const pull = (): Promise<void> =>
    (pulling ??= (async () => {
      try {
        const r = await it.next();
        if (r.done) ended = true;
        else buffer.push(r.value);
      } catch (error) {
        failure = { error };
      } finally {
        pulling = null;
        wake();
      }
    })());

  const stop = async (k: number): Promise<void> => {
    active[k] = false;
    trim();
    if (active.every((a) => !a) && !ended) await it.return?.();
  };
  const consumer = (k: number): TeeStream<T> => ({
    cancel: () => void stop(k).catch(() => undefined),
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<T>> {
        for (;;) {
          const pos = positions[k] as number;
          if (pos < base + buffer.length) {
            const value = buffer[pos - base] as T;
            positions[k] = pos + 1;
            trim();
            return { value, done: false };
          }
          if (failure) throw failure.error;
          if (ended) return { value: undefined, done: true };
          if (buffer.length >= maxBuffer) await new Promise<void>((resolve) => waiters.push(resolve));
          else await pull();
        }
      },
      async return(): Promise<IteratorResult<T>> {
        await stop(k);
        return { value: undefined, done: true };
      },
    }),
  });
  return Array.from({ length: count }, (_, k) => consumer(k));
}
