// The estimated wait of a queued request: the requests ahead of it and itself, at the rate its lane
// has been deciding lately (published by the lane owner with each batch), and when to poll again.

/** Poll again no sooner than this, also when the wait is shorter or unknown. */
export const MIN_RETRY_AFTER_S = 1;
/** Poll again at the latest after this long, however long the wait: the estimate may change. */
export const MAX_RETRY_AFTER_S = 10;

/** The published rate (decisions per second), or undefined when the lane has none lately. */
export function parseRate(raw: string | null | undefined): number | undefined {
  const rate = raw ? Number(raw) : NaN;
  return Number.isFinite(rate) && rate > 0 ? rate : undefined;
}

/** Milliseconds until the lane has decided the `position` requests ahead and this one. */
export function estimateWaitMs(position: number, rate: number | undefined): number | undefined {
  if (rate === undefined) return undefined;
  return Math.round(((position + 1) / rate) * 1000);
}

/** `Retry-After` seconds for a request not yet final: its estimated wait, within the bounds. */
export function retryAfterSeconds(estimatedWaitMs: number | undefined): number {
  if (estimatedWaitMs === undefined) return MIN_RETRY_AFTER_S;
  return Math.min(MAX_RETRY_AFTER_S, Math.max(MIN_RETRY_AFTER_S, Math.ceil(estimatedWaitMs / 1000)));
}
