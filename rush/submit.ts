// Submitting a rush: every item POSTed concurrently (optionally paced over a duration), a 429 or 503
// sent again after its Retry-After, every answer recorded with its latency.
import type { Problem } from '../client/index.js';
import { nowMs, sleep, type JsonClient, type JsonResponse } from './http.js';
import type { RequestResource } from './request-resource.js';
import { sendWithRetry } from './retry.js';

/** What a rush's progress is shown on (toolkit/progress.ts's ProgressBar, or nothing). */
export interface Progress {
  update(phase: string, done: number, total: number, note?: string): void;
  finish(phase: string, done: number, total: number, note?: string): void;
}

export interface SubmitRecord {
  httpStatus: number;
  /** From the (scheduled) send of the first attempt to the accepting answer, 429/503 retries included. */
  latencyMs: number;
  /** Epoch ms of the (scheduled) first attempt. */
  submittedAt: number;
  /** Epoch ms of the answer. */
  answeredAt: number;
  /** Attempts sent again after a 429 or 503. */
  overloadedRetries: number;
  requestId?: string;
  resource?: RequestResource;
  problemCode?: string;
}

export interface SubmitOptions {
  concurrency: number;
  /** Spread the submissions evenly over this many seconds (open loop); 0 = as fast as possible. */
  durationS: number;
  progress?: Progress;
  /** Give up retrying a 429 or 503 after this many attempts. */
  maxOverloadRetries?: number;
  /** Called with every final answer to a submission, as it arrives. */
  onAnswer?: (record: SubmitRecord) => void;
}

/** What an answer to a submit says, for the record: the request it accepted, or the problem's code. */
function recordAnswer(status: number, body: unknown): Pick<SubmitRecord, 'requestId' | 'resource' | 'problemCode'> {
  const ok = status === 202 || status === 200;
  const answer = typeof body === 'object' && body !== null ? (body as RequestResource | Problem) : undefined;
  if (ok && answer && 'requestId' in answer) return { requestId: answer.requestId, resource: answer };
  if (!ok && answer && 'code' in answer) return { problemCode: answer.code };
  return ok ? {} : { problemCode: `HTTP ${status}` };
}

/**
 * POSTs every item and records the answer. 429 and 503 are sent again after their Retry-After
 * (within 50 ms to 1 s); any other non-2xx answer is recorded as is. When paced, latency counts from
 * the time the request was due, so a generator that falls behind does not hide queueing
 * (coordinated omission).
 */
export async function submitAll<T>(
  client: JsonClient,
  items: readonly T[],
  request: (item: T) => { path: string; body: unknown; headers?: Record<string, string> },
  opts: SubmitOptions,
): Promise<(T & SubmitRecord)[]> {
  const results = new Array<T & SubmitRecord>(items.length);
  const started = nowMs();
  const gap = opts.durationS > 0 ? (opts.durationS * 1000) / items.length : 0;
  let next = 0;
  let done = 0;
  let accepted = 0;
  const rate = () => `${Math.round(accepted / Math.max(0.001, (nowMs() - started) / 1000))} accepted/s`;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      const item = items[i] as T;
      const due = started + i * gap;
      if (gap > 0 && due > nowMs()) await sleep(due - nowMs());
      const submittedAt = gap > 0 ? due : nowMs();
      const { path, body, headers } = request(item);
      let record: SubmitRecord;
      try {
        const { answer, retries } = await sendWithRetry<JsonResponse>(
          () => client.post(path, body, headers),
          (res) => res.headers['retry-after'],
          { maxRetries: opts.maxOverloadRetries ?? 100 },
        );
        const answeredAt = nowMs();
        const latencyMs = answeredAt - submittedAt;
        const timing = { latencyMs, submittedAt, answeredAt, overloadedRetries: retries };
        record = { httpStatus: answer.status, ...timing, ...recordAnswer(answer.status, answer.body) };
      } catch (err) {
        const answeredAt = nowMs();
        const timing = { latencyMs: answeredAt - submittedAt, submittedAt, answeredAt, overloadedRetries: 0 };
        record = { httpStatus: 0, ...timing, problemCode: `NETWORK: ${(err as Error).message}` };
      }
      if (record.requestId) accepted++;
      results[i] = { ...item, ...record };
      opts.onAnswer?.(results[i]);
      done++;
      opts.progress?.update('submitting', done, items.length, rate());
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.concurrency, items.length) }, worker));
  opts.progress?.finish('submitted', done, items.length, rate());
  return results;
}
