// Sending a submit again when the engine asks for it: 503 (it cannot take the request now) and 429
// (this user is over their rate) both carry Retry-After, which the client waits for.
import { sleep } from './http.js';

const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 503]);

interface RetryPolicy {
  /** Give up and return the refusal after this many retries. */
  maxRetries: number;
  /** Bounds on the wait between attempts; Retry-After is honoured within them. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** The wait a Retry-After header (seconds) asks for, within the policy's bounds; 1 s when absent. */
function retryDelayMs(
  retryAfter: string | string[] | null | undefined,
  { minDelayMs = 50, maxDelayMs = 1_000 }: Omit<RetryPolicy, 'maxRetries'> = {},
): number {
  const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : (retryAfter ?? 1));
  return Math.min(maxDelayMs, Math.max(minDelayMs, (Number.isFinite(seconds) ? seconds : 1) * 1000));
}

/** Sends until the answer is neither 429 nor 503 or the retries are spent; the last answer and the retries taken. */
export async function sendWithRetry<A extends { status: number }>(
  send: () => Promise<A>,
  retryAfter: (answer: A) => string | string[] | null | undefined,
  policy: RetryPolicy,
): Promise<{ answer: A; retries: number }> {
  for (let retries = 0; ; retries++) {
    const answer = await send();
    if (!RETRY_STATUSES.has(answer.status) || retries >= policy.maxRetries) return { answer, retries };
    await sleep(retryDelayMs(retryAfter(answer), policy));
  }
}
