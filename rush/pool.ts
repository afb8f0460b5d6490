// Bounded concurrency for rushes: at most `concurrency` calls in flight, optionally paced.
import { sleep } from './http.js';

/** Runs `fn` over items with at most `concurrency` in flight. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Runs `fn` over items with at most `concurrency` in flight and, with `perSecond`, starts item i no
 * earlier than i / perSecond seconds after the first, so a rush spans a fault injected at a known time.
 */
export async function pacedPool<T, R>(
  items: readonly T[],
  { concurrency, perSecond }: { concurrency: number; perSecond?: number },
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const t0 = Date.now();
  return pool(items, concurrency, async (item, index) => {
    if (perSecond) {
      const due = t0 + (index * 1000) / perSecond;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    return fn(item, index);
  });
}
