// The lanes of a process, derived from the registry of lane types (lane-types.ts): one BullMQ queue
// each. Coupon claims spread over COUPON_LANES lanes by coupon id; orders have one lane.
import { Queue, type ConnectionOptions } from 'bullmq';
import type { ClaimPayload, OrderPayload } from './payloads.js';
import { claimLaneType } from '../coupon/claim.lane.js';
import { orderLaneType } from '../order/order.lane.js';
import { lanePrefix } from './lane-keys.js';
import type { JobEnvelope, Lane, LaneType } from './lane-type.js';
import { LANE_TYPES } from './lane-types.js';

export { decidedChannel, laneKeys, lanePrefix } from './lane-keys.js';
export type { Lane, LaneType } from './lane-type.js';

function laneOf<P extends JobEnvelope>(laneType: LaneType<P>, spec: { name: string; code: string }): Lane<P> {
  return { ...spec, type: laneType.type, laneType };
}

const claimLanes = new Map<number, Lane<ClaimPayload>>();

/** The claim lane of this index (one object per lane, as the submit path asks for it on every claim). */
export function claimLane(index: number): Lane<ClaimPayload> {
  let lane = claimLanes.get(index);
  if (!lane) {
    lane = laneOf(claimLaneType, { name: `claims-${index}`, code: `c${index}` });
    claimLanes.set(index, lane);
  }
  return lane;
}

export const ORDER_LANE: Lane<OrderPayload> = laneOf(orderLaneType, { name: 'orders', code: 'o' });

const byTypes = new WeakMap<readonly LaneType[], Map<number, Lane[]>>();

/** Every lane of the given lane types (the registry's by default), in registry order. */
export function allLanes(couponLanes: number, types: readonly LaneType[] = LANE_TYPES): Lane[] {
  const perCount = byTypes.get(types) ?? new Map<number, Lane[]>();
  byTypes.set(types, perCount);
  let lanes = perCount.get(couponLanes);
  if (!lanes) {
    lanes = types.flatMap((t) => t.lanes({ COUPON_LANES: couponLanes }).map((spec) => laneOf(t, spec)));
    perCount.set(couponLanes, lanes);
  }
  return lanes;
}

/** A coupon always maps to the same lane. */
export function laneForCoupon(couponId: number, couponLanes: number): Lane<ClaimPayload> {
  return claimLane(couponId % couponLanes);
}

export function laneByCode(code: string, couponLanes: number, types: readonly LaneType[] = LANE_TYPES) {
  return allLanes(couponLanes, types).find((l) => l.code === code);
}

export const JOB_RETENTION = {
  removeOnComplete: { age: 3600, count: 20_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** `completedRetentionS`: how long a completed job stays (COMPLETED_JOB_RETENTION_S). */
export function createLaneQueue(
  queuePrefix: string,
  lane: { name: string },
  connection: ConnectionOptions,
  completedRetentionS: number = JOB_RETENTION.removeOnComplete.age,
): Queue {
  return new Queue(lane.name, {
    connection,
    prefix: lanePrefix(queuePrefix, lane),
    defaultJobOptions: {
      ...JOB_RETENTION,
      removeOnComplete: { ...JOB_RETENTION.removeOnComplete, age: completedRetentionS },
    },
  });
}

export function createLaneQueues(
  config: { QUEUE_PREFIX: string; COUPON_LANES: number; COMPLETED_JOB_RETENTION_S?: number },
  connection: ConnectionOptions,
  types: readonly LaneType[] = LANE_TYPES,
): Map<string, Queue> {
  return new Map(
    allLanes(config.COUPON_LANES, types).map((lane) => [
      lane.name,
      createLaneQueue(config.QUEUE_PREFIX, lane, connection, config.COMPLETED_JOB_RETENTION_S),
    ]),
  );
}
