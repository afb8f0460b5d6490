// Accepting a queued request exactly once per client intent, for any lane type: an Idempotency-Key
// returns the request it made, a submit whose place in line is held returns the holder, a gate's
// flag answers at once, the rate limit refuses what would queue too much, and the add, its record
// and the count against the user's limit are one step of the lane-append script (lane-append.ts).
import { RateLimitedError, UnavailableError, UnprocessableError } from '../common/errors.js';
import type { FlagGate, JobEnvelope, Lane } from '../lane/lane.js';
import type { Admit } from '../http/rate-limit.js';
import type { AppendEntry } from './lane-append.js';
import type { AddAnswer, LaneSnapshot } from './lane-front.js';
import { formatRequestId, newNonce } from './request.ids.js';
import { getRequest, queueOf, queuedResource, type RequestDeps, type SubmitOptions } from './request.service.js';
import { isFinal, type Submitted } from './request.resource.js';
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

export type { Submitted } from './request.resource.js';

/**
 * A step a kind may put before the add (a coupon's pre-queue): it answers the submit itself, or
 * returns undefined to let it join the lane. No lane append may follow it, so the user's limit is
 * counted by the rate limiter instead.
 */
export interface BeforeAdd {
  /** Given the Idempotency-Key's record to write and the nonce the request would get. */
  run(key: Once['key'], nonce: string): Promise<Submitted | undefined>;
  /** The request the user already holds there, for a repeat over the rate limit. */
  held(): Promise<string | null>;
}

export interface QueuedSubmit<P extends JobEnvelope> {
  lane: Lane<P>;
  payload: Omit<P, 'nonce'>;
  userId: number;
  options: SubmitOptions;
  before?: BeforeAdd | undefined;
}

/** The submit's facts, worked out once before anything is read or written. */
interface Plan<P extends JobEnvelope> extends QueuedSubmit<P> {
  once: Once | undefined;
  gate: FlagGate | undefined;
  /** Checks the rate limiter runs beside the read of the key's record. */
  admit: Admit | undefined;
}

export async function submitQueued<P extends JobEnvelope>(deps: RequestDeps, s: QueuedSubmit<P>): Promise<Submitted> {
  const plan = planSubmit(deps, s);
  const view = await laneView(deps, plan);
  const soldOut = plan.gate?.sticky === true && view.flagged === true;
  const repeat = await findRepeatOrAdmit(deps, plan, soldOut);
  if (repeat) return repeat;
  if (soldOut) return answerAtOnce(deps, plan);
  const gated = plan.gate !== undefined && view.flagged === true;
  if (!gated) refuseWhenFull(deps, plan.lane, view);
  const nonce = newNonce();
  const answered = await plan.before?.run(plan.once?.key, nonce);
  return answered ?? append(deps, plan, nonce, gated, view);
}

function planSubmit<P extends JobEnvelope>(deps: RequestDeps, s: QueuedSubmit<P>): Plan<P> {
  const rules = s.lane.laneType.submit;
  const { admit, userLimit } = s.options;
  // Without a lane append to count it (a step before the add may answer instead), the user's limit
  // goes through the rate limiter with the address limit.
  const viaLimiter = s.before !== undefined && userLimit !== undefined;
  // Built field by field: an object spread clones through a slow path, on every submit.
  return {
    lane: s.lane,
    payload: s.payload,
    userId: s.userId,
    options: s.options,
    before: s.before,
    once: onceFor(deps, s, rules?.line?.(s.payload)),
    gate: rules?.gate?.(s.payload, deps.front.keys(s.lane)),
    admit: viaLimiter ? both(admit, userLimit.admitUser) : admit,
  };
}

/**
 * How this submit is made at most once. An Idempotency-Key's scope is the route and the user, so two
 * users' keys never meet; the body decides whether a repeat is the same request. A place in line is
 * a BullMQ deduplication id held while its request waits or runs, with the key's record beside it;
 * without one, the key's deduplication id (held for the key's lifetime) is its record.
 */
function onceFor<P extends JobEnvelope>(deps: RequestDeps, s: QueuedSubmit<P>, line: string | undefined) {
  const queue = queueOf(deps, s.lane);
  const idem = s.options.idempotency;
  const digest = idem ? keyDigest(`${idem.scope} user ${s.userId}`, idem.key) : undefined;
  const ttlMs = deps.config.IDEMPOTENCY_TTL_S * 1000;
  const record = (recordKey: string) => (idem ? { recordKey, hash: bodyHash(idem.body), ttlMs } : undefined);
  if (line !== undefined)
    return { dedupeId: `u:${line}`, key: record(`${queue.keys['']}idem:${digest}`) } satisfies Once;
  if (!digest) return undefined;
  const dedupeId = `k:${digest}`;
  return { dedupeId, dedupeTtlMs: ttlMs, key: record(dedupeKey(queue, dedupeId)) } satisfies Once;
}

/** The lane as this process knows it, with the gate's flag; read from Redis only when the view is old. */
function laneView<P extends JobEnvelope>(deps: RequestDeps, plan: Plan<P>): LaneSnapshot | Promise<LaneSnapshot> {
  const flag = plan.gate ? { key: plan.gate.key, sticky: plan.gate.sticky } : undefined;
  return deps.front.current(plan.lane, flag) ?? deps.front.snapshot(plan.lane, flag);
}

/**
 * A repeat of the key's request, or the rate limiter's verdict, read together in one round trip. A
 * request answered at once from a sticky flag queues nothing, so it is not counted.
 */
async function findRepeatOrAdmit<P extends JobEnvelope>(
  deps: RequestDeps,
  plan: Plan<P>,
  answeredAtOnce: boolean,
): Promise<Submitted | undefined> {
  const key = plan.once?.key;
  const check = answeredAtOnce ? undefined : plan.admit;
  const [recorded, refused] = await Promise.all([
    key ? deps.redis.get(key.recordKey) : null,
    check ? verdict(check) : null,
  ]);
  const record = parseRecord(recorded);
  if (record && key) return replay(deps, plan.lane, record, key.hash);
  if (!refused) return undefined;
  const held = refused instanceof RateLimitedError ? await heldByIntent(deps, plan) : undefined;
  if (held) return held;
  throw refused;
}

/** The limiter's verdict without failing the round trip it shares: null, or why it refused. */
const verdict = (check: Admit): Promise<Error | null> =>
  check().then(
    () => null,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );

const both =
  (a: Admit | undefined, b: Admit): Admit =>
  async () => {
    await Promise.all([a?.(), b()]);
  };

/**
 * Over the limit, a repeat still gets its request (its key's, its place in line's, or the one a step
 * before the add holds) and queues nothing. Looked up again once this process's adds to the lane are
 * answered, as a request made at the same moment may have been added since.
 */
async function heldByIntent<P extends JobEnvelope>(deps: RequestDeps, plan: Plan<P>): Promise<Submitted | undefined> {
  const { once, lane } = plan;
  if (!once) return undefined;
  await deps.front.settled(lane);
  const record = once.key ? parseRecord(await deps.redis.get(once.key.recordKey)) : null;
  if (record && once.key) return replay(deps, lane, record, once.key.hash);
  const holder = once.dedupeTtlMs === undefined ? await lineHolder(queueOf(deps, lane), once.dedupeId) : null;
  if (holder) return replay(deps, lane, holder, '');
  const held = await plan.before?.held();
  if (!held) return undefined;
  const resource = await getRequest(deps, held);
  return { resource, queued: !isFinal(resource), replayed: true };
}

function refuseWhenFull(deps: RequestDeps, lane: Lane, view: LaneSnapshot): void {
  if (view.waiting >= deps.config.MAX_LANE_DEPTH) {
    throw new UnavailableError('OVERLOADED', `Lane ${lane.name} is full; retry shortly`, 1);
  }
}

/** Answered at once from a sticky flag; with a key, recorded so that a retry gets the same answer. */
async function answerAtOnce<P extends JobEnvelope>(deps: RequestDeps, plan: Plan<P>): Promise<Submitted> {
  const resource = await deps.instant.issue(plan.gate?.answer ?? '');
  const key = plan.once?.key;
  if (key) {
    const nonce = resource.requestId.slice('x-'.length);
    const mine = formatRecord({ sequence: null, nonce, hash: key.hash, acceptedAt: null });
    if ((await deps.redis.set(key.recordKey, mine, 'PX', key.ttlMs, 'NX')) === null) {
      const first = parseRecord(await deps.redis.get(key.recordKey));
      if (first) return replay(deps, plan.lane, first, key.hash);
    }
  }
  return { resource, queued: false, replayed: false };
}

/**
 * The add, with its record and the user's limit, in one lane-append step. A gated submit carries
 * the instant answer it gets if the flag still holds when the script runs.
 */
async function append<P extends JobEnvelope>(
  deps: RequestDeps,
  plan: Plan<P>,
  nonce: string,
  gated: boolean,
  view: LaneSnapshot,
): Promise<Submitted> {
  const { lane, payload, once } = plan;
  const instant = gated && plan.gate ? await deps.instant.issue(plan.gate.answer) : undefined;
  const entry: AppendEntry = {
    name: lane.laneType.jobName(payload),
    data: { ...payload, nonce },
    once: once ? { rule: once, nonce, acceptedAt: payload.acceptedAt } : undefined,
    limit: plan.before ? undefined : plan.options.userLimit,
    gate: instant && plan.gate ? { key: plan.gate.key, instantId: instant.requestId } : undefined,
  };
  const answer: AddAnswer = await deps.front.add(lane, entry);
  switch (answer.kind) {
    case 'added':
      return fresh(deps, lane, { sequence: answer.sequence, nonce, acceptedAt: payload.acceptedAt }, view);
    case 'held':
      return replay(deps, lane, answer.record, once?.key?.hash ?? '');
    case 'gated':
      if (!instant) throw new Error('the lane append gated an add that had no gate');
      return { resource: instant, queued: false, replayed: false };
    case 'refused':
      if (!plan.options.userLimit) throw new Error('the lane append refused an add that no limit was counted for');
      throw plan.options.userLimit.refused(answer.retryInMs);
  }
}

function fresh(
  deps: RequestDeps,
  lane: Lane,
  added: { sequence: number; nonce: string; acceptedAt: number },
  view: LaneSnapshot,
): Submitted {
  return { resource: queuedResource(deps, lane, added, view), queued: true, replayed: false };
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
    record.heldAs !== undefined
      ? `${record.heldAs}-${record.nonce}`
      : record.sequence === null
        ? `x-${record.nonce}`
        : formatRequestId(lane.code, record.sequence, record.nonce);
  const resource = await getRequest(deps, requestId);
  return { resource, queued: !isFinal(resource), replayed: true };
}
