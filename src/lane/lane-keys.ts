// A lane's Redis keys. Every key of a lane carries the lane's hash tag, so BullMQ's scripts and the
// engine's own lane keys (lease, fence counter, progress, and each kind's own: see `own`) always
// live in one Redis Cluster slot.

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
    /** A key of the lane's kind in the lane's slot, e.g. `own('sold-out:7')` (`…:lane:sold-out:7`). */
    own: (name: string) => `${base}:lane:${name}`,
  };
}

export type LaneKeys = ReturnType<typeof laneKeys>;

/** Channel on which lane owners announce how far each lane has been decided. */
export function decidedChannel(queuePrefix: string): string {
  return `${queuePrefix}:lane-decided`;
}
