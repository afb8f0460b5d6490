// Accepting queued requests and reporting on them. Submitting touches only Redis; final outcomes
// are read from MySQL, where the lane wrote them with their effects.
import type { Queue } from 'bullmq';
import type { Db } from '../db/database.js';
import type { RedisClient } from '../redis.js';
import type { RequestOutcomeTable } from '../db/schema.js';
import { NotFoundError } from '../common/errors.js';
import { laneKeys } from '../lane/lane-keys.js';
import type { Lane } from '../lane/lane.js';
import type { LaneSet } from '../lane/lane-set.js';
import type { Admit, LaneLimit } from '../http/rate-limit.js';
import { findOutcome } from './request.repository.js';
import { formatRequestId, parseRequestId } from './request.ids.js';
import { isInstantRequestId, type InstantAnswers } from './instant-answers.js';
import type { LaneProgress } from './lane-progress.js';
import type { LongPolls } from './long-polls.js';
import type { OutcomeCache } from './outcome-cache.js';
import type { LaneFront, LaneSnapshot } from './lane-front.js';
import { estimateWaitMs, parseRate } from './eta.js';
import { isFinal, type RequestLookup, type RequestResource } from './request.resource.js';

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
  config: { QUEUE_PREFIX: string; MAX_LANE_DEPTH: number; IDEMPOTENCY_TTL_S: number };
  /** The lanes of the lane types this API serves. */
  lanes: LaneSet;
  /** Readers of the request ids that kinds keep outside their lanes. */
  lookups: readonly RequestLookup[];
  /** The answers this process holds open while requests are decided. */
  longPolls: LongPolls;
}

/** What a submit brings besides its payload. */
export interface SubmitOptions {
  /** The HTTP request id, kept in the job for the logs and the dashboard. */
  httpRequestId?: string | undefined;
  /** The rate limiter's check, run beside the submit's reads (one round trip); throws when over the limit. */
  admit?: Admit | undefined;
  /** The user's rate limit, counted by the lane append that adds the request (no round trip of its own). */
  userLimit?: LaneLimit | undefined;
  /** The submit's Idempotency-Key, the route it came to and its validated body. */
  idempotency?: { key: string; scope: string; body: unknown } | undefined;
}

export function queueOf(deps: RequestDeps, lane: Lane): Queue {
  const queue = deps.queues.get(lane.name);
  if (!queue) throw new Error(`no queue for lane ${lane.name}`);
  return queue;
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
  const lane = parsed ? deps.lanes.withCode(parsed.laneCode) : undefined;
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

/** The request's current state; with waitMs, holds the answer until it is final or time is up. */
export async function getRequest(deps: RequestDeps, requestId: string, waitMs = 0): Promise<RequestResource> {
  const foreign = deps.lookups.find((l) => l.owns(requestId));
  if (foreign) return foreign.get(requestId, waitMs);
  const deadline = Date.now() + waitMs;
  let resource = await readOnce(deps, requestId);
  const parsed = parseRequestId(requestId);
  const lane = parsed ? deps.lanes.withCode(parsed.laneCode) : undefined;
  while (!isFinal(resource) && parsed && lane && Date.now() < deadline) {
    await deps.progress.wait(lane.name, parsed.sequence, Math.min(1_000, deadline - Date.now()));
    resource = await readOnce(deps, requestId);
  }
  return resource;
}
