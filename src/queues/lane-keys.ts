// A lane's Redis keys. Every key of a lane carries the lane's hash tag, so BullMQ's scripts and the
// engine's own lane keys (lease, fence counter, progress, sold-out and out-of-stock flags) always live in one Redis
// Cluster slot.

/** BullMQ prefix of a lane: `<QUEUE_PREFIX>:{<lane>}`; the braces are the Redis Cluster hash tag. */
export function lanePrefix(queuePrefix: string, lane: { name: string }): string {
  return `${queuePrefix}:{${lane.name}}`;
}

/** Redis keys the engine keeps beside BullMQ's, in the lane's slot. */
export function laneKeys(queuePrefix: string, lane: { name: string }) {
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
    /** The order lane's flag of a product it left without stock (src/order/stock-gate.ts). */
    outOfStock: (productId: number) => `${base}:lane:out-of-stock:${productId}`,
    /** Bumped by whatever gives a product's stock back, so a flag set from an older read is not set. */
    stockGeneration: (productId: number) => `${base}:lane:stock-gen:${productId}`,
    /** Coupons of the lane with a pre-queue still to draw, scored by their start (ms). */
    preQueues: `${base}:lane:pre-queues`,
    /** One coupon's pre-queue (src/coupon/pre-queue.ts). */
    preQueue: (couponId: number) => {
      const pre = `${base}:lane:pre:${couponId}`;
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

/** Channel on which lane owners announce how far each lane has been decided. */
export function decidedChannel(queuePrefix: string): string {
  return `${queuePrefix}:lane-decided`;
}
