// Coupon claims as a lane type: COUPON_LANES lanes (`claims-0` …), a coupon always in lane
// `couponId % COUPON_LANES`.
import { z } from '@hono/zod-openapi';
import type { LaneType } from '../queues/lane-type.js';
import { laneKeys } from '../queues/lane-keys.js';
import { ClaimPayload } from '../queues/payloads.js';
import { CLAIM_REJECTIONS } from './claim.decider.js';
import { claimProcessor } from './claim.processor.js';
import { preQueueDraws } from './pre-queue.draw.js';

export const claimLaneType: LaneType<ClaimPayload> = {
  type: 'COUPON_CLAIM',
  label: 'Coupon claims',
  lanes: (config) => Array.from({ length: config.COUPON_LANES }, (_, i) => ({ name: `claims-${i}`, code: `c${i}` })),
  payloadSchema: ClaimPayload,
  openapi: {
    name: 'CouponClaim',
    result: z
      .object({ userCouponId: z.number().int(), couponId: z.number().int(), expiresAt: z.iso.datetime() })
      .openapi('CouponClaimResult', { description: 'Only when SUCCEEDED: the coupon issued to the user' }),
    rejections: CLAIM_REJECTIONS,
  },
  jobName: (p) => `claim coupon ${p.couponId} by user ${p.userId}`,
  processor: ({ redis, config, db, lane }) =>
    claimProcessor({
      redis,
      soldOutKey: laneKeys(config.QUEUE_PREFIX, lane).soldOut,
      ownerTask: preQueueDraws({
        db,
        redis,
        lane,
        queuePrefix: config.QUEUE_PREFIX,
        pauseMs: config.PRE_QUEUE_DRAW_PAUSE_MS,
      }),
    }),
};
