// Both halves of a queued submit's route around its service call: what the service is handed (the
// HTTP request id, this user's admission by the rate limiter, the Idempotency-Key) and the answer
// (Location to poll, Idempotent-Replayed on a repeat, 202 while the request waits, 200 once final).
import type { Context } from 'hono';
import type { IdentityEnv } from '../http/identity.js';
import { submittedKey } from '../http/idempotency.js';
import { setResponseHeader } from '../http/response-headers.js';
import type { SubmitLimiter } from '../http/rate-limit.js';
import { asQueuedRequest } from './request.routes.js';
import type { SubmitOptions } from './request.service.js';
import type { Submitted } from './submit.service.js';

/** `body` is what a repeat with the same Idempotency-Key must match. */
export function submitOptions(c: Context<IdentityEnv>, limiter: SubmitLimiter, userId: number, body: unknown) {
  // One shape for every submit, without spreads: the submit path reads these on every request.
  const { admit, userLimit } = limiter.queued(c, userId);
  return {
    httpRequestId: c.get('requestId'),
    admit,
    userLimit,
    idempotency: submittedKey(c, body),
  } satisfies SubmitOptions;
}

export function queuedAnswer(c: Context<IdentityEnv>, { queued, replayed, resource }: Submitted) {
  setResponseHeader(c, 'Location', `/requests/${resource.requestId}`);
  if (replayed) setResponseHeader(c, 'Idempotent-Replayed', 'true');
  return queued ? c.json(asQueuedRequest(resource), 202) : c.json(asQueuedRequest(resource), 200);
}
