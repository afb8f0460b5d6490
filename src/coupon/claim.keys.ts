// Coupon claims' own keys in their lane's slot (sold-out flags, pre-queues), and which lane a coupon's
// claims go to: lane `claims-<couponId % COUPON_LANES>`.
import { laneKeys, type LaneKeys } from '../lane/lane-keys.js';

export function claimLaneName(couponId: number, couponLanes: number): string {
  return `claims-${couponId % couponLanes}`;
}

/** Set by the lane once a coupon is sold out; never cleared (issued coupons never return). */
export const soldOutKey = (keys: LaneKeys, couponId: number) => keys.own(`sold-out:${couponId}`);

export function claimKeys(keys: LaneKeys) {
  return {
    soldOut: (couponId: number) => soldOutKey(keys, couponId),
    /** Coupons of the lane with a pre-queue still to draw, scored by their start (ms). */
    preQueues: keys.own('pre-queues'),
    /** One coupon's pre-queue (pre-queue.ts). */
    preQueue: (couponId: number) => {
      const pre = keys.own(`pre:${couponId}`);
      return {
        /** Absent while open; `closed` once the draw began; `drawn` once its claims are in the lane. */
        state: `${pre}:state`,
        /** Pre-queued request ids in acceptance order (scored by acceptedAt); the draw shuffles them. */
        entries: `${pre}:entries`,
        /** Request id to `<userId>|<acceptedAt>`. */
        requests: `${pre}:requests`,
        /** User id to request id: one pre-queued claim per user. */
        users: `${pre}:users`,
        /** Request id to drawn sequence, written with the draw. */
        drawn: `${pre}:drawn`,
      };
    },
  };
}

export type ClaimKeys = ReturnType<typeof claimKeys>;

/** The claim keys of a coupon's lane. */
export function claimKeysOf(queuePrefix: string, couponId: number, couponLanes: number): ClaimKeys {
  return claimKeys(laneKeys(queuePrefix, { name: claimLaneName(couponId, couponLanes) }));
}
