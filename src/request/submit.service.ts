// Accepting a queued request exactly once per client intent: an Idempotency-Key returns the request
// it made, a claim while the same user's claim for the coupon waits returns the waiting one, and the
// rate limit refuses what would queue too much. The reads go out together (one round trip, none for
// a submit without an Idempotency-Key behind no address limit); the add, its record and the count
// against the user's limit are one step of the lane-append script (lane-append.ts).
import { RateLimitedError, UnavailableError, UnprocessableError } from '../common/errors.js';
import type { Lane } from '../queues/lanes.js';
import type { Admit, LaneLimit } from '../http/rate-limit.js';
import type { Refused } from './lane-append.js';
import { formatPreQueueRequestId, formatRequestId, newNonce } from './request.ids.js';
import {
  getRequest,
  isFinal,
  laneSnapshot,
  queueOf,
  queuedResource,
  type RequestDeps,
  type RequestResource,
  type SubmitOptions,
} from './request.service.js';
import {
  bodyHash,
  dedupeKey,
  formatRecord,
  keyDigest,
  lineHolder,
  parseRecord,
  type Once,
  type SubmitRecord,
} from './submit-dedupe.js';

/** Given the Idempotency-Key's record to write and the nonce the request would get. */
export type PreQueueStep = (key: Once['key'], nonce: string) => Promise<Submitted | undefined>;

export interface Submitted {
  resource: RequestResource;
  /** false when the answer is final at once (sold out, or a repeat of a request already decided). */
  queued: boolean;
  /** true when this is a repeat that returns an existing request. */
  replayed: boolean;
}

export interface QueuedSubmit extends Omit<SubmitOptions, 'httpRequestId'> {
  lane: Lane;
  jobName: string;
  payload: Record<string, unknown> & { acceptedAt: number };
  userId: number;
  /**
   * A claim: its coupon's sold-out flag is read with the snapshot, and its user keeps one place in
   * line. `preQueue` runs before the add when the coupon has a pre-queue: it answers the claim
   * itself (taken into the pre-queue, or the user's claim there), or returns undefined to add it.
   */
  claim?: { couponId: number; preQueue?: PreQueueStep | undefined };
  /**
   * An order of one product: its out-of-stock flag. While the lane's view shows it set, the lane
   * append checks it atomically with the add and, when it holds, answers the order at once
   * (INSUFFICIENT_STOCK, no sequence) instead of adding it.
   */
  outOfStock?: string | undefined;
}

/**
 * How this submit is made at most once. An Idempotency-Key's scope is the route and the user, so
 * two users' keys never meet; the body decides whether a repeat is the same request.
 */
function onceFor(deps: RequestDeps, s: QueuedSubmit): Once | undefined {
  const queue = queueOf(deps, s.lane);
  const idem = s.idempotency;
  const digest = idem ? keyDigest(`${idem.scope} user ${s.userId}`, idem.key) : undefined;
  const ttlMs = deps.config.IDEMPOTENCY_TTL_S * 1000;
  const record = (recordKey: string) => (idem ? { recordKey, hash: bodyHash(idem.body), ttlMs } : undefined);
  if (s.claim) {
    const key = record(`${queue.keys['']}idem:${digest}`);
    return { dedupeId: `u:${s.claim.couponId}:${s.userId}`, ...(key ? { key } : {}) };
  }
  if (!digest) return undefined;
  // An order's record is its deduplication key itself (see STAMP in submit-dedupe.ts).
  const dedupeId = `k:${digest}`;
  return { dedupeId, dedupeTtlMs: ttlMs, key: record(dedupeKey(queue, dedupeId)) };
}

/** The rate limiter's verdict without failing the round trip it shares: null, or why it refused. */
const settled = (p: Promise<void> | undefined): Promise<Error | null> | null =>
  p?.then(
    () => null,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  ) ?? null;

const fresh = (resource: RequestResource): Submitted => ({ resource, queued: true, replayed: false });

export async function submitQueued(deps: RequestDeps, s: QueuedSubmit): Promise<Submitted> {
  const { lane } = s;
  const queue = queueOf(deps, lane);
  const once = onceFor(deps, s);
  // The user's limit is counted by the lane append that adds the request; a claim that a coupon's
  // pre-queue may take is counted by the limiter instead, as no lane append may follow.
  const byLane = s.claim?.preQueue ? undefined : s.userLimit;
  const admit = byLane || !s.userLimit ? s.admit : both(s.admit, s.userLimit.admitUser);
  // The lane view is in memory almost always; then at most one round trip, for the key's record and
  // the limiter's checks. A claim of a sold-out coupon queues nothing, so it is not counted.
  const flag = s.claim
    ? { key: deps.front.keys(lane).soldOut(s.claim.couponId), sticky: true }
    : s.outOfStock !== undefined
      ? { key: s.outOfStock, sticky: false }
      : undefined;
  const snapshot = deps.front.current(lane, flag) ?? (await laneSnapshot(deps, lane, flag));
  const soldOutNow = s.claim !== undefined && snapshot.flagged === true;
  const gated = s.outOfStock !== undefined && snapshot.flagged === true;
  const check = soldOutNow ? undefined : admit;
  const [recorded, refused] =
    once?.key || check
      ? await Promise.all([once?.key ? deps.redis.get(once.key.recordKey) : null, settled(check?.())])
      : [null, null];
  const record = parseRecord(recorded);
  if (record && once?.key) return replay(deps, lane, record, once.key.hash);
  if (refused) {
    // Over the limit, a repeat still gets its request (its key's, its user's place in line, or its
    // user's claim in the coupon's pre-queue): it queues nothing. Looked up again, as a request made at the same moment may have been added since.
    if (refused instanceof RateLimitedError && once) {
      await deps.front.settled(lane);
      const held = once.key ? parseRecord(await deps.redis.get(once.key.recordKey)) : null;
      if (held && once.key) return replay(deps, lane, held, once.key.hash);
      const holder = s.claim ? await lineHolder(queue, once.dedupeId) : null;
      if (holder) return replay(deps, lane, holder, '');
      const preQueued = s.claim?.preQueue ? await deps.preQueue.mine(s.claim.couponId, s.userId) : null;
      if (preQueued) {
        const resource = await getRequest(deps, preQueued);
        return { resource, queued: !isFinal(resource), replayed: true };
      }
    }
    throw refused;
  }
  if (soldOutNow) return soldOut(deps, lane, once);
  // A gated order most likely adds nothing, so a full lane does not turn it away.
  if (!gated && snapshot.waiting >= deps.config.MAX_LANE_DEPTH) {
    throw new UnavailableError('OVERLOADED', `Lane ${lane.name} is full; retry shortly`, 1);
  }
  const nonce = newNonce();
  // Awaited only when there is a pre-queue: an await costs a turn of the microtask queue.
  const answered = s.claim?.preQueue ? await s.claim.preQueue(once?.key, nonce) : undefined;
  if (answered) return answered;
  // The payload, made for this submit, becomes the job's data.
  const data = s.payload as QueuedSubmit['payload'] & { nonce: string };
  data.nonce = nonce;
  const acceptedAt = s.payload.acceptedAt;
  // A gated order carries the instant answer it gets if the flag still holds when the script runs.
  const instant = gated && s.outOfStock ? await deps.instant.issue('os') : undefined;
  const options = {
    limit: byLane,
    gate: instant && s.outOfStock ? { key: s.outOfStock, instantId: instant.requestId } : undefined,
  };
  // A plain add answers its sequence; one made at most once, the record of the request that holds
  // its intent (its own, or an earlier one's).
  const answer = once
    ? await deps.front.addOnce(lane, s.jobName, data, once, options)
    : await deps.front.add(lane, s.jobName, data, options);
  if (typeof answer === 'number') {
    return fresh(queuedResource(deps, lane, { sequence: answer, nonce, acceptedAt }, snapshot));
  }
  if ('gated' in answer) {
    if (!instant) throw new Error('the lane append gated an add that had no gate');
    return { resource: instant, queued: false, replayed: false };
  }
  if ('refused' in answer) throw refusedBy(byLane, answer);
  if (answer.nonce !== nonce || answer.sequence === null) return replay(deps, lane, answer, once?.key?.hash ?? '');
  return fresh(queuedResource(deps, lane, { sequence: answer.sequence, nonce, acceptedAt }, snapshot));
}

const both =
  (a: Admit | undefined, b: Admit): Admit =>
  async () => {
    await Promise.all([a?.(), b()]);
  };

/** The lane append refused the add: the user is over the limit it counts. */
const refusedBy = (limit: LaneLimit | undefined, r: Refused) =>
  limit ? limit.refused(r.retryInMs) : new Error('the lane append refused an add that no limit was counted for');

/** The coupon is sold out: answered at once; with a key, recorded so that a retry gets the same answer. */
async function soldOut(deps: RequestDeps, lane: Lane, once: Once | undefined): Promise<Submitted> {
  const resource = await deps.instant.issue('so');
  const key = once?.key;
  if (key) {
    const nonce = resource.requestId.slice('x-'.length);
    const mine = formatRecord({ sequence: null, nonce, hash: key.hash, acceptedAt: null });
    if ((await deps.redis.set(key.recordKey, mine, 'PX', key.ttlMs, 'NX')) === null) {
      const first = parseRecord(await deps.redis.get(key.recordKey));
      if (first) return replay(deps, lane, first, key.hash);
    }
  }
  return { resource, queued: false, replayed: false };
}

/** A repeat: the request its intent already made, as it is now; another body under the same key is refused. */
async function replay(deps: RequestDeps, lane: Lane, record: SubmitRecord, hash: string): Promise<Submitted> {
  if (record.hash !== hash) {
    throw new UnprocessableError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request body',
    );
  }
  const requestId =
    record.preQueue !== undefined
      ? formatPreQueueRequestId(record.preQueue, record.nonce)
      : record.sequence === null
        ? `x-${record.nonce}`
        : formatRequestId(lane.code, record.sequence, record.nonce);
  const resource = await getRequest(deps, requestId);
  return { resource, queued: !isFinal(resource), replayed: true };
}
