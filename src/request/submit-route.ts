// Both halves of a queued submit's route around its service call: what the service is handed (the
// HTTP request id, this user's admission by the rate limiter, the Idempotency-Key) and the answer
// (Location to poll, Idempotent-Replayed on a repeat, 202 while the request waits, 200 once final).
// With `Prefer: wait=N` (RFC 7240) the answer is held until the request is final or N seconds pass.
import type { Context } from 'hono';
import type { IdentityEnv } from '../http/identity.js';
import { submittedKey } from '../http/idempotency.js';
import { setResponseHeader } from '../http/response-headers.js';
import type { SubmitLimiter } from '../http/rate-limit.js';
import { asQueuedRequest } from './request.routes.js';
import { getRequest, type RequestDeps, type SubmitOptions } from './request.service.js';
import { isFinal, type RequestResource, type Submitted } from './request.resource.js';

/** The longest `Prefer: wait` honoured, in seconds; a longer one is taken as this. */
const MAX_WAIT_S = 10;

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

/** The seconds of a `wait` preference (RFC 7240), or undefined when there is none worth honouring. */
export function preferredWait(prefer: string | undefined): number | undefined {
  const match = prefer ? /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?/i.exec(prefer) : null;
  const seconds = match ? Number(match[1]) : 0;
  return seconds >= 1 ? Math.min(seconds, MAX_WAIT_S) : undefined;
}

/** The submit's answer; with `Prefer: wait=N`, once the request is final or N seconds have passed. */
export function queuedAnswer(c: Context<IdentityEnv>, deps: RequestDeps, submitted: Submitted) {
  const wait = preferredWait(c.req.header('Prefer'));
  if (!wait) return answer(c, submitted.replayed, submitted.resource, undefined);
  return waitForFinal(deps, submitted, wait).then((resource) => answer(c, submitted.replayed, resource, wait));
}

function answer(c: Context<IdentityEnv>, replayed: boolean, resource: RequestResource, wait: number | undefined) {
  setResponseHeader(c, 'Location', `/requests/${resource.requestId}`);
  if (replayed) setResponseHeader(c, 'Idempotent-Replayed', 'true');
  if (!isFinal(resource)) return c.json(asQueuedRequest(resource), 202);
  if (wait) setResponseHeader(c, 'Preference-Applied', `wait=${wait}`);
  return c.json(asQueuedRequest(resource), 200);
}

/** The request once final (its outcome committed), or as it is after `seconds`. */
function waitForFinal(deps: RequestDeps, { queued, resource }: Submitted, seconds: number) {
  if (!queued) return Promise.resolve(resource);
  const waitMs = seconds * 1000;
  return deps.longPolls.hold(waitMs, () => getRequest(deps, resource.requestId, waitMs));
}
