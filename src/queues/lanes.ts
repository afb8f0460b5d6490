// Lanes: one BullMQ queue each. A lane's keys share one Redis Cluster hash tag, so BullMQ's scripts
// and the engine's own lane keys (lease, fence counter, progress, sold-out flags) always live in
// one slot. Coupon claims spread over COUPON_LANES lanes by coupon id; orders have one lane.
import { Queue, type ConnectionOptions } from 'bullmq';
import type { RequestType } from '../db/schema.js';

export interface Lane {
  /** Queue name and lane id stored with every outcome, e.g. `claims-2` or `orders`. */
  name: string;
  /** Short code that starts every request id of the lane, e.g. `c2` or `o`. */
  code: string;
  type: RequestType;
}

export function claimLane(index: number): Lane {
  return { name: `claims-${index}`, code: `c${index}`, type: 'COUPON_CLAIM' };
}

export const ORDER_LANE: Lane = { name: 'orders', code: 'o', type: 'ORDER' };

export function allLanes(couponLanes: number): Lane[] {
  return [...Array.from({ length: couponLanes }, (_, i) => claimLane(i)), ORDER_LANE];
}

/** A coupon always maps to the same lane. */
export function laneForCoupon(couponId: number, couponLanes: number): Lane {
  return claimLane(couponId % couponLanes);
}

export function laneByCode(code: string, couponLanes: number): Lane | undefined {
  if (code === ORDER_LANE.code) return ORDER_LANE;
  const match = /^c(0|[1-9][0-9]{0,2})$/.exec(code);
  const index = match?.[1] ? Number(match[1]) : -1;
  return index >= 0 && index < couponLanes ? claimLane(index) : undefined;
}

/** BullMQ prefix of a lane: `<QUEUE_PREFIX>:{<lane>}`; the braces are the Redis Cluster hash tag. */
export function lanePrefix(queuePrefix: string, lane: Lane): string {
  return `${queuePrefix}:{${lane.name}}`;
}

/** Redis keys the engine keeps beside BullMQ's, in the lane's slot. */
export function laneKeys(queuePrefix: string, lane: Lane) {
  const base = `${lanePrefix(queuePrefix, lane)}:${lane.name}`;
  return {
    wait: `${base}:wait`,
    active: `${base}:active`,
    lease: `${base}:lane:lease`,
    fence: `${base}:lane:fence`,
    decided: `${base}:lane:decided`,
    /** Decisions per second lately, set by the owner with each batch; absent when it went quiet. */
    rate: `${base}:lane:rate`,
    soldOut: (couponId: number) => `${base}:lane:sold-out:${couponId}`,
  };
}

/** Channel on which lane owners announce how far each lane has been decided. */
export function decidedChannel(queuePrefix: string): string {
  return `${queuePrefix}:lane-decided`;
}

export const JOB_RETENTION = {
  removeOnComplete: { age: 3600, count: 20_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export function createLaneQueue(queuePrefix: string, lane: Lane, connection: ConnectionOptions): Queue {
  return new Queue(lane.name, {
    connection,
    prefix: lanePrefix(queuePrefix, lane),
    defaultJobOptions: { ...JOB_RETENTION },
  });
}

export function createLaneQueues(
  config: { QUEUE_PREFIX: string; COUPON_LANES: number },
  connection: ConnectionOptions,
): Map<string, Queue> {
  return new Map(
    allLanes(config.COUPON_LANES).map((lane) => [lane.name, createLaneQueue(config.QUEUE_PREFIX, lane, connection)]),
  );
}
