// Accepting queued requests and reporting on them. Submitting touches only Redis; final outcomes
// are read from MySQL, where the lane wrote them with their effects.
import type { Queue } from 'bullmq';
import type { Db } from '../db/database.js';
import type { RedisClient } from '../redis.js';
import type { RequestOutcomeTable, RequestType } from '../db/schema.js';
import { UnavailableError, NotFoundError } from '../common/errors.js';
import { laneByCode, laneForCoupon, laneKeys, type Lane, type LaneType } from '../queues/lanes.js';
import type { PreQueue } from '../coupon/pre-queue.js';
import type { JobEnvelope } from '../queues/lane-type.js';
import { findOutcome } from './request.repository.js';
import { formatRequestId, newNonce, parsePreQueueRequestId, parseRequestId } from './request.ids.js';
import { isInstantRequestId, type InstantAnswers } from './instant-answers.js';
import type { LaneProgress } from './lane-progress.js';
import type { OutcomeCache } from './outcome-cache.js';
import type { LaneFlag, LaneFront, LaneSnapshot } from './lane-front.js';
import { estimateWaitMs, parseRate } from './eta.js';
import type { LaneLimit } from '../http/rate-limit.js';
import { isFinalStatus, type RequestStatus } from './request.status.js';

export type { RequestStatus };

export interface RequestResource {
  requestId: string;
  type: RequestType;
  status: RequestStatus;
  sequence: number | null;
  position?: number;
  estimatedWaitMs?: number;
  /** A claim taken into a coupon's pre-queue (its sequence is null until the draw). */
  preQueued?: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
  acceptedAt: string;
  finishedAt: string | null;
}

export interface RequestDeps {
  db: Db;
  redis: RedisClient;
  /** Where polls read a waiting request's job and its lane's progress: the API's auto-pipelined connection; `redis` when not given. */
  reads?: RedisClient;
  queues: Map<string, Queue>;
  progress: LaneProgress;
  /** Final outcomes already read, answered again without MySQL. */
  outcomes: OutcomeCache;
  /** Answers final at submission, issued and read back without storing them. */
  instant: InstantAnswers;
  /** The submit side of each lane: what a submit needs to know, and batched adds. */
  front: LaneFront;
  config: { QUEUE_PREFIX: string; COUPON_LANES: number; MAX_LANE_DEPTH: number; IDEMPOTENCY_TTL_S: number };
  /** Coupons' pre-queues: claims before the start, and the gate after it. */
  preQueue: PreQueue;
  /** The lane types this API serves (the registry's by default). */
  laneTypes?: readonly LaneType[];
}

/** What a submit brings besides its payload. */
export interface SubmitOptions {
  /** The HTTP request id, kept in the job for the logs and the dashboard. */
  httpRequestId?: string;
  /** The rate limiter's check, run beside the submit's reads (one round trip); throws when over the limit. */
  admit?: () => Promise<void>;
  /** The user's rate limit, counted by the lane append that adds the request (no round trip of its own). */
  userLimit?: LaneLimit;
  /** The submit's Idempotency-Key, the route it came to and its validated body. */
  idempotency?: { key: string; scope: string; body: unknown };
}

export function queueOf(deps: RequestDeps, lane: Lane): Queue {
  const queue = deps.queues.get(lane.name);
  if (!queue) throw new Error(`no queue for lane ${lane.name}`);
  return queue;
}

/**
 * Appends a request to its lane, its payload typed by the lane type's schema and its job named by
 * the lane type. BullMQ assigns the job id by INCR in the same script that pushes the job, so the
 * id is the request's sequence and sequence order is queue order.
 */
export async function enqueue<P extends JobEnvelope>(
  deps: RequestDeps,
  lane: Lane<P>,
  payload: Omit<P, 'nonce'>,
  snapshot?: LaneSnapshot,
): Promise<RequestResource> {
  const { waiting, decided, rate } = snapshot ?? (await laneSnapshot(deps, lane));
  if (waiting >= deps.config.MAX_LANE_DEPTH) {
    throw new UnavailableError('OVERLOADED', `Lane ${lane.name} is full; retry shortly`, 1);
  }
  const nonce = newNonce();
  const sequence = await deps.front.add(lane, lane.laneType.jobName(payload), { ...payload, nonce });
  // Without a limit or a gate the lane append always adds.
  if (typeof sequence !== 'number') throw new Error('the lane append refused an add with no limit or gate');
  return queuedResource(deps, lane, { sequence, nonce, acceptedAt: payload.acceptedAt }, { decided, rate });
}

/** A request just added to its lane, as its submit answers it. */
export function queuedResource(
  deps: RequestDeps,
  lane: Lane,
  { sequence, nonce, acceptedAt }: { sequence: number; nonce: string; acceptedAt: number },
  { decided, rate }: Pick<LaneSnapshot, 'decided' | 'rate'>,
): RequestResource {
  // The progress may have moved on while the add was on its way.
  const position = Math.max(0, sequence - Math.max(decided, deps.progress.decided(lane.name)) - 1);
  const estimatedWaitMs = estimateWaitMs(position, rate);
  return {
    requestId: formatRequestId(lane.code, sequence, nonce),
    type: lane.type,
    status: 'QUEUED',
    sequence,
    position,
    ...(estimatedWaitMs !== undefined ? { estimatedWaitMs } : {}),
    acceptedAt: new Date(acceptedAt).toISOString(),
    finishedAt: null,
  };
}

function fromOutcome(o: RequestOutcomeTable): RequestResource {
  return {
    requestId: o.request_id,
    type: o.type,
    status: o.status,
    sequence: o.sequence,
    ...(o.result !== null ? { result: JSON.parse(o.result) as Record<string, unknown> } : {}),
    ...(o.error_code !== null ? { error: { code: o.error_code, message: o.error_message ?? '' } } : {}),
    acceptedAt: o.accepted_at.toISOString(),
    finishedAt: o.finished_at.toISOString(),
  };
}

const notFound = (id: string) => new NotFoundError('REQUEST_NOT_FOUND', `Request ${id} does not exist`);

/** The outcome from MySQL, remembered: a final outcome never changes. */
async function finalOutcome(deps: RequestDeps, requestId: string): Promise<RequestResource | undefined> {
  const row = await findOutcome(deps.db, requestId);
  if (!row) return undefined;
  const resource = fromOutcome(row);
  deps.outcomes.set(resource);
  return resource;
}

/**
 * A queued request's state. Final outcomes come from memory or one MySQL read by primary key. A
 * request the lane has not decided yet is answered from Redis alone, in one round trip: its job
 * (BullMQ stamps `processedOn` when the lane owner takes it; lanes never move a job back) and the
 * lane's decided sequence, which the lane sets only after the outcomes are committed.
 */
async function readOnce(deps: RequestDeps, requestId: string): Promise<RequestResource> {
  if (isInstantRequestId(requestId)) {
    const instant = await deps.instant.read(requestId);
    if (!instant) throw notFound(requestId);
    return instant;
  }
  const parsed = parseRequestId(requestId);
  const lane = parsed ? laneByCode(parsed.laneCode, deps.config.COUPON_LANES, deps.laneTypes) : undefined;
  if (!parsed || !lane) throw notFound(requestId);
  const cached = deps.outcomes.get(requestId);
  if (cached) return cached;
  if (deps.progress.decided(lane.name) >= parsed.sequence) {
    const final = await finalOutcome(deps, requestId);
    if (final) return final;
  }

  const queue = queueOf(deps, lane);
  const keys = laneKeys(deps.config.QUEUE_PREFIX, lane);
  // Two plain commands in one round trip, on a connection that writes the commands of every poll of
  // an event-loop turn together; the lane's keys share its hash slot, so MGET works on a cluster too.
  const reads = deps.reads ?? deps.redis;
  const [[data, processedOn, finishedOn, timestamp], [decidedValue, rate]] = await Promise.all([
    reads.hmget(queue.toKey(String(parsed.sequence)), 'data', 'processedOn', 'finishedOn', 'timestamp'),
    reads.mget(keys.decided, keys.rate),
  ]);
  const decided = Number(decidedValue ?? 0);
  deps.progress.observe(lane.name, decided);
  const payload = data ? (JSON.parse(data) as { nonce?: unknown; acceptedAt?: unknown }) : undefined;
  if (payload?.nonce !== parsed.nonce || decided >= parsed.sequence || finishedOn) {
    // Decided (the job may be gone from Redis by now), or not a request of this lane at all.
    const final = await finalOutcome(deps, requestId);
    if (final) return final;
    if (payload?.nonce !== parsed.nonce) throw notFound(requestId);
  }
  const acceptedAt = new Date(
    typeof payload.acceptedAt === 'number' ? payload.acceptedAt : Number(timestamp),
  ).toISOString();
  const common = { requestId, type: lane.type, sequence: parsed.sequence, acceptedAt, finishedAt: null };
  if (processedOn) return { ...common, status: 'PROCESSING' };
  const position = Math.max(0, parsed.sequence - decided - 1);
  const estimatedWaitMs = estimateWaitMs(position, parseRate(rate));
  return { ...common, status: 'QUEUED', position, ...(estimatedWaitMs !== undefined ? { estimatedWaitMs } : {}) };
}

export function isFinal(r: RequestResource): boolean {
  return isFinalStatus(r.status);
}

/**
 * A claim taken into a pre-queue: waiting for the draw, or, once drawn, the request its drawn job
 * is (`<lane code>-<drawn sequence>-<its nonce>`), shown under the id the client was given.
 */
async function readPreQueued(deps: RequestDeps, requestId: string): Promise<RequestResource & { lane: Lane }> {
  const parsed = parsePreQueueRequestId(requestId);
  const found = parsed ? await deps.preQueue.read(requestId) : null;
  if (!parsed || !found) throw notFound(requestId);
  const lane = laneForCoupon(parsed.couponId, deps.config.COUPON_LANES);
  const acceptedAt = new Date(found.acceptedAt).toISOString();
  if (found.sequence === null) {
    const common = { requestId, type: lane.type, sequence: null, preQueued: true, acceptedAt, finishedAt: null };
    return { ...common, status: 'QUEUED', lane };
  }
  const drawn = await readOnce(deps, formatRequestId(lane.code, found.sequence, parsed.nonce));
  return { ...drawn, requestId, preQueued: true, lane };
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitPreQueued(deps: RequestDeps, requestId: string, deadline: number): Promise<RequestResource> {
  for (;;) {
    const { lane, ...resource } = await readPreQueued(deps, requestId);
    const left = deadline - Date.now();
    if (isFinal(resource) || left <= 0) return resource;
    if (resource.sequence === null) await pause(Math.min(200, left));
    else await deps.progress.wait(lane.name, resource.sequence, Math.min(1_000, left));
  }
}

/** The request's current state; with waitMs, holds the answer until it is final or time is up. */
export async function getRequest(deps: RequestDeps, requestId: string, waitMs = 0): Promise<RequestResource> {
  const deadline = Date.now() + waitMs;
  if (requestId.startsWith('p-')) return waitPreQueued(deps, requestId, deadline);
  let resource = await readOnce(deps, requestId);
  const parsed = parseRequestId(requestId);
  const lane = parsed ? laneByCode(parsed.laneCode, deps.config.COUPON_LANES, deps.laneTypes) : undefined;
  while (!isFinal(resource) && parsed && lane && Date.now() < deadline) {
    await deps.progress.wait(lane.name, parsed.sequence, Math.min(1_000, deadline - Date.now()));
    resource = await readOnce(deps, requestId);
  }
  return resource;
}

/** The lane's depth, how far it is decided and, when asked, whether one of its flags is set; see LaneFront. */
export function laneSnapshot(deps: RequestDeps, lane: Lane, flag?: LaneFlag): Promise<LaneSnapshot> {
  return deps.front.snapshot(lane, flag);
}
