export { limiter } from "@cotrain/core";
export type { Limit } from "@cotrain/core";

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
