// The engine's lanes by the names the tests, load scripts and benchmarks use, built from the
// registry the composition roots list (apps/lane-types.ts).
import type { ConnectionOptions } from 'bullmq';
import { LANE_TYPES } from '../apps/lane-types.js';
import { claimLaneType } from '../src/coupon/claim.lane.js';
import { claimLaneName } from '../src/coupon/claim.keys.js';
import type { ClaimPayload } from '../src/coupon/claim.payload.js';
import { LaneSet } from '../src/lane/lane-set.js';
import type { Lane } from '../src/lane/lane.js';
import { orderLaneType } from '../src/order/order.lane.js';
import { ORDER_LANE_NAME } from '../src/order/order.keys.js';
import { createLaneQueues as createQueues } from '../src/queues/lanes.js';

export { createLaneQueue } from '../src/queues/lanes.js';
export { laneKeys, lanePrefix } from '../src/lane/lane-keys.js';
export type { Lane } from '../src/lane/lane.js';

/** The most claim lanes any run configures. */
const MAX_CLAIM_LANES = 256;
const lanes = new LaneSet(LANE_TYPES, { COUPON_LANES: MAX_CLAIM_LANES });

export function claimLane(index: number): Lane<ClaimPayload> {
  return lanes.named(claimLaneType, `claims-${index}`);
}

export const ORDER_LANE = lanes.named(orderLaneType, ORDER_LANE_NAME);

export function laneForCoupon(couponId: number, couponLanes: number): Lane<ClaimPayload> {
  return lanes.named(claimLaneType, claimLaneName(couponId, couponLanes));
}

/** Every lane of the registry's types with this many claim lanes. */
export function allLanes(couponLanes: number): readonly Lane[] {
  return new LaneSet(LANE_TYPES, { COUPON_LANES: couponLanes }).all;
}

export function createLaneQueues(
  config: { QUEUE_PREFIX: string; COUPON_LANES: number; COMPLETED_JOB_RETENTION_S?: number },
  connection: ConnectionOptions,
) {
  return createQueues(config, connection, allLanes(config.COUPON_LANES));
}
