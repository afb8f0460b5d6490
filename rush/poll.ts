// Long polls to a request's final state: one loop, over any HTTP client, that asks
// GET /requests/{id}?waitMs=… again until the answer is final, the request is gone or time is up.
import { createApiClient } from '../client/index.js';
import { FINAL_STATUSES, isFinalStatus } from '../src/request/request.status.js';
import { sleep, type JsonClient } from './http.js';
import { pool } from './pool.js';
import type { RequestResource } from './request-resource.js';
import type { Progress, SubmitRecord } from './submit.js';

export { FINAL_STATUSES, isFinalStatus };

interface PollOptions {
  /** The longest waitMs of one poll. */
  maxWaitMs?: number;
  /** A 404 means the request is gone (its job vanished undecided) instead of an answer to ask again for. */
  goneOn404?: boolean;
}

interface PollResult {
  /** The last state the API answered with; final unless time ran out. */
  last?: RequestResource;
  /** The API answered 404 (with `goneOn404`). */
  gone: boolean;
  /** The last failure to get an answer, when there was one. */
  error?: unknown;
}

/**
 * Polls through `get` (one GET /requests/{id}?waitMs=… that answers its status and body) until the
 * request is final or `deadline` passes. A failed or non-200 poll is asked again after 250 ms.
 */
async function pollToFinal(
  get: (waitMs: number) => Promise<{ status: number; body: unknown }>,
  deadline: number,
  { maxWaitMs = 10_000, goneOn404 = false }: PollOptions = {},
): Promise<PollResult> {
  let last: RequestResource | undefined;
  let error: unknown;
  for (;;) {
    const waitMs = Math.max(0, Math.min(maxWaitMs, deadline - Date.now()));
    let answered = false;
    try {
      const res = await get(waitMs);
      if (res.status === 404 && goneOn404) return { gone: true };
      if (res.status === 200) {
        last = res.body as RequestResource;
        answered = true;
        if (isFinalStatus(last.status)) return { last, gone: false };
      } else error = new Error(`GET /requests answered ${res.status}`);
    } catch (err) {
      error = err;
    }
    if (Date.now() >= deadline) return { ...(last ? { last } : {}), gone: false, error };
    if (!answered) await sleep(250);
  }
}

/** Long-polls one request through the generated client; its last state, or the last error at the deadline. */
export async function awaitFinal(
  baseUrl: string,
  requestId: string,
  deadline: number,
  headers: Record<string, string> = {},
): Promise<RequestResource> {
  const api = createApiClient(baseUrl);
  const { last, error } = await pollToFinal(async (waitMs) => {
    const { data, response } = await api.GET('/requests/{requestId}', {
      params: { path: { requestId }, query: { waitMs } },
      headers,
    });
    return { status: response.status, body: data };
  }, deadline);
  if (last) return last;
  throw error instanceof Error ? error : new Error(`GET /requests/${requestId} never answered`);
}

/** A request's final state, or `LOST` when the API no longer knows it (404: its job vanished undecided). */
async function finalOrLost(baseUrl: string, requestId: string, deadline: number): Promise<RequestResource | 'LOST'> {
  const { last, gone } = await pollToFinal(
    async (waitMs) => {
      const res = await fetch(`${baseUrl}/requests/${requestId}?waitMs=${waitMs}`, {
        signal: AbortSignal.timeout(waitMs + 10_000),
      });
      if (res.status !== 200) {
        await res.body?.cancel();
        return { status: res.status, body: undefined };
      }
      return { status: 200, body: await res.json() };
    },
    deadline,
    { maxWaitMs: 5_000, goneOn404: true },
  );
  if (gone) return 'LOST';
  if (last) return last;
  throw new Error(`request ${requestId} never answered`);
}

/** finalOrLost over many requests, 50 at a time. */
export async function finalsOrLost(
  baseUrl: string,
  requestIds: readonly string[],
  timeoutMs = 60_000,
): Promise<Map<string, RequestResource | 'LOST'>> {
  const deadline = Date.now() + timeoutMs;
  const out = new Map<string, RequestResource | 'LOST'>();
  await pool(requestIds, 50, async (id) => out.set(id, await finalOrLost(baseUrl, id, deadline)));
  return out;
}

/**
 * Long-polls every request of a rush until it is final or `deadline` passes, earliest sequence first
 * (the lane decides in that order, so the first polls come back first and free their connection).
 */
export async function awaitAll<R extends SubmitRecord>(
  client: JsonClient,
  records: readonly R[],
  opts: {
    concurrency: number;
    deadline: number;
    progress?: Progress;
    onFinal?: (r: RequestResource) => void;
    /** Headers of a request's polls, e.g. its user's bearer token in identity mode. */
    headers?: (record: R) => Record<string, string>;
  },
): Promise<Map<string, RequestResource>> {
  const finals = new Map<string, RequestResource>();
  const pending: { id: string; seq: number; headers?: Record<string, string> }[] = [];
  for (const r of records) {
    if (!r.requestId || !r.resource) continue;
    if (isFinalStatus(r.resource.status)) finals.set(r.requestId, r.resource);
    else
      pending.push({
        id: r.requestId,
        seq: r.resource.sequence ?? 0,
        ...(opts.headers ? { headers: opts.headers(r) } : {}),
      });
  }
  pending.sort((a, b) => a.seq - b.seq);
  const total = finals.size + pending.length;
  let final = finals.size;
  await pool(pending, opts.concurrency, async ({ id, headers }) => {
    const path = (waitMs: number) => `/requests/${encodeURIComponent(id)}?waitMs=${waitMs}`;
    const { last } = await pollToFinal((waitMs) => client.get(path(waitMs), headers), opts.deadline);
    if (last) {
      finals.set(id, last);
      if (isFinalStatus(last.status)) {
        final++;
        opts.onFinal?.(last);
      }
    }
    opts.progress?.update('waiting', final, total, 'final');
  });
  opts.progress?.finish('final', final, total, 'final');
  return finals;
}
