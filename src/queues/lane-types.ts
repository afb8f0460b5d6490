// The registry of queued request types. A new one is a folder with its lane type (type, lanes,
// payload schema, job name, processor, label) and one entry here; the lanes, the workers, the
// dashboard and the OpenAPI description follow from this list.
import { claimLaneType } from '../coupon/claim.lane.js';
import { orderLaneType } from '../order/order.lane.js';
import type { LaneType } from './lane-type.js';

export const LANE_TYPES: readonly LaneType[] = [claimLaneType, orderLaneType];
