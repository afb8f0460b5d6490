// Helpers for fault-injection tests: who owns a lane and how far it is decided, a paced rush that
// records every answer (or that none came), and everything a lane decided, read from MySQL with each
// request's payload from its BullMQ job, so the oracles also see requests whose answer never reached
// the client (a process died between enqueueing and answering).
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import type { ManagedProcess } from '../../rush/processes.js';
import { verifyClaims, type ClaimObservation } from '../../src/verify/claims.oracle.js';
import { observeCoupon, type ClaimPlanItem } from '../../rush/claims.js';
import type { OrderObservation } from '../../src/verify/orders.oracle.js';
import { createDb } from '../../src/db/database.js';
import { leaseHolderPid } from '../../src/lane/lease.js';
import { laneKeys, type Lane } from './lanes.js';
import { parseRequestId } from '../../src/request/request.ids.js';
import { isInstantRequestId } from '../../src/request/instant-answers.js';

/** The pid in a lane's lease (`<host>:<pid>:<uuid8>:<fence>`), or null when nobody holds it. */
export async function laneOwnerPid(
  redisUrl: string,
  queuePrefix: string,
  lane: Pick<Lane, 'name'>,
): Promise<number | null> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    return leaseHolderPid(await redis.get(laneKeys(queuePrefix, lane).lease));
  } finally {
    redis.disconnect();
  }
}

/**
 * Kills whichever of `workers` owns `lane` with SIGKILL right after its next batch commit (its
 * debug `decided` line), before it completes those jobs, so the successor must adopt and replay them.
 */
export async function killLaneOwnerAfterCommit(
  workers: readonly ManagedProcess[],
  queuePrefix: string,
  lane: Pick<Lane, 'name'>,
): Promise<{ owner: ManagedProcess | undefined; killedAt: number }> {
  const armedAt = Date.now();
  const pid = await laneOwnerPid(inject('redisUrl'), queuePrefix, lane);
  const owner = workers.find((w) => w.pid === pid);
  await owner?.waitForLog(/^decided$/, 10_000, (l) => l.lane === lane.name && Number(l.time) >= armedAt);
  const killedAt = Date.now();
  owner?.child.kill('SIGKILL');
  return { owner, killedAt };
}

/** The last sequence the lane's owner announced as decided. */
export async function laneDecided(redis: Redis, queuePrefix: string, lane: Pick<Lane, 'name'>): Promise<number> {
  return Number((await redis.get(laneKeys(queuePrefix, lane).decided)) ?? 0);
}

export interface Answer<T> {
  item: T;
  index: number;
  /** null when no answer came (connection refused or reset, or timed out). */
  status: number | null;
  body?: Record<string, unknown> & { requestId?: string; code?: string; sequence?: number | null };
  contentType?: string | null;
  /** The answer returned an earlier request of the same intent (Idempotent-Replayed). */
  replayed?: boolean;
  sentAt: number;
  ms: number;
}

/** Sends one JSON request and records the answer, or that none came. */
export async function send<T>(
  baseUrl: string,
  method: string,
  path: string,
  body: unknown,
  item: T,
  index: number,
): Promise<Answer<T>> {
  const sentAt = Date.now();
  const started = performance.now();
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    let parsed: Answer<T>['body'];
    try {
      parsed = JSON.parse(text) as Answer<T>['body'];
    } catch {
      parsed = { raw: text };
    }
    const contentType = res.headers.get('content-type');
    const replayed = res.headers.get('Idempotent-Replayed') === 'true';
    const ms = performance.now() - started;
    return { item, index, status: res.status, body: parsed, contentType, replayed, sentAt, ms };
  } catch {
    return { item, index, status: null, sentAt, ms: performance.now() - started };
  }
}

export interface LaneDecision {
  requestId: string;
  sequence: number | null;
  status: string;
  errorCode: string | null;
  result: Record<string, unknown> | null;
  /** The request's payload from its job; undefined when the job is gone from Redis. */
  data: Record<string, unknown> | undefined;
}

/** Every outcome a lane wrote, in sequence order, with the payload of each request's job. */
export async function laneDecisions(
  databaseUrl: string,
  redisUrl: string,
  queuePrefix: string,
  lane: Pick<Lane, 'name'>,
): Promise<LaneDecision[]> {
  const db = createDb(databaseUrl, { connectionLimit: 1 });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    const rows = await db
      .selectFrom('request_outcomes')
      .select(['request_id', 'sequence', 'status', 'error_code', 'result'])
      .where('lane', '=', lane.name)
      .orderBy('sequence')
      .execute();
    const base = laneKeys(queuePrefix, lane).wait.replace(/:wait$/, '');
    const pipeline = redis.pipeline();
    for (const r of rows) pipeline.hget(`${base}:${r.sequence}`, 'data');
    const raw = (await pipeline.exec()) ?? [];
    return rows.map((r, i) => {
      const text = raw[i]?.[1];
      let data = typeof text === 'string' ? (JSON.parse(text) as Record<string, unknown>) : undefined;
      // After a Redis data loss a sequence may have been handed out again: the nonce tells whose job it is.
      if (data && data.nonce !== parseRequestId(r.request_id)?.nonce) data = undefined;
      return {
        requestId: r.request_id,
        sequence: r.sequence,
        status: r.status,
        errorCode: r.error_code,
        result: r.result === null ? null : (JSON.parse(r.result) as Record<string, unknown>),
        data,
      };
    });
  } finally {
    redis.disconnect();
    await db.destroy();
  }
}

/** Claim observations for the fairness oracle: everything the lane decided, plus instant sold-out answers. */
export function claimObservations(
  decisions: readonly LaneDecision[],
  instant: readonly { requestId: string; couponId: number; userId: number; errorCode?: string }[] = [],
): ClaimObservation[] {
  return [
    ...decisions.map((d) => ({
      requestId: d.requestId,
      couponId: Number(d.data?.couponId),
      userId: Number(d.data?.userId),
      status: d.status,
      sequence: d.sequence,
      errorCode: d.errorCode ?? undefined,
    })),
    // A 200 may also be a repeat whose request the lane has decided: that one is among the decisions.
    ...instant
      .filter((i) => isInstantRequestId(i.requestId))
      .map((i) => ({ ...i, status: 'REJECTED', sequence: null })),
  ];
}

/**
 * The fairness oracle over a one-coupon rush that a fault hit: everything the lane decided, plus the
 * rush's instant (200) answers, against the coupon and its holders read through `baseUrl`.
 */
export async function verifyCouponLane(
  baseUrl: string,
  couponId: number,
  plan: readonly ClaimPlanItem[],
  answers: readonly Answer<ClaimPlanItem>[],
  decisions: readonly LaneDecision[],
) {
  const instant = answers
    .filter((a) => a.status === 200)
    .map((a) => ({
      requestId: a.body?.requestId as string,
      couponId,
      userId: a.item.userId,
      errorCode: (a.body?.error as { code?: string } | undefined)?.code,
    }));
  const observed = await observeCoupon(
    baseUrl,
    couponId,
    plan.map((p) => p.userId),
  );
  return verifyClaims(claimObservations(decisions, instant), [observed]);
}

/**
 * Order observations for the orders oracle: everything the lane decided, plus the rush's instant
 * (200, no sequence) out-of-stock answers to the orders `answers` sent.
 */
export function orderObservations(
  decisions: readonly LaneDecision[],
  answers: readonly Answer<{ userId: number; items: OrderObservation['items'] }>[] = [],
): OrderObservation[] {
  return [
    ...decisions.map((d) => ({
      requestId: d.requestId,
      userId: Number(d.data?.userId),
      items: (d.data?.items ?? []) as OrderObservation['items'],
      status: d.status,
      sequence: d.sequence,
      errorCode: d.errorCode ?? undefined,
      orderId: typeof d.result?.orderId === 'number' ? d.result.orderId : undefined,
      acceptedAt: typeof d.data?.acceptedAt === 'number' ? d.data.acceptedAt : undefined,
    })),
    ...answers
      .filter((a) => a.status === 200 && isInstantRequestId(a.body?.requestId ?? ''))
      .map((a) => ({
        requestId: a.body?.requestId as string,
        userId: a.item.userId,
        items: a.item.items,
        status: String(a.body?.status),
        sequence: null,
        errorCode: (a.body?.error as { code?: string } | undefined)?.code,
        acceptedAt: Date.parse(String(a.body?.acceptedAt)),
      })),
  ];
}

/** A sorted list's percentile (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}
