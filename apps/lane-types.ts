// The registry of queued request types, listed by the composition roots (the API and the worker
// processes) and passed down to everything that serves lanes. A new type is its own folder with its
// lane type (src/queues/lane-type.ts) and one entry here.
import { claimLaneType } from '../src/coupon/claim.lane.js';
import { orderLaneType } from '../src/order/order.lane.js';
import type { LaneType } from '../src/queues/lane-type.js';

export const LANE_TYPES: readonly LaneType[] = [claimLaneType, orderLaneType] as readonly LaneType[];
