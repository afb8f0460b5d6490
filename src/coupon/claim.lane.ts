// Coupon claims as a lane type: COUPON_LANES lanes (`claims-0` …), a coupon always in lane
// `couponId % COUPON_LANES`; one place in line per user and coupon; a sold-out coupon answered at
// once; claims before a coupon's start taken into its pre-queue.
import { z } from '@hono/zod-openapi';
import type { LaneType } from '../queues/lane-type.js';
import { laneKeys } from '../lane/lane-keys.js';
import { ClaimPayload } from './claim.payload.js';
import { CLAIM_REJECTIONS } from './claim.decider.js';
import { claimKeys, claimLaneName, soldOutKey } from './claim.keys.js';
import { claimProcessor } from './claim.processor.js';
import { claimRoutes } from './claim.routes.js';
import { PreQueue } from './pre-queue.js';
import { preQueueDraws } from './pre-queue.draw.js';
import { preQueueLookup } from './pre-queue.lookup.js';

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
  submit: {
    line: (p) => `${p.couponId}:${p.userId}`,
    gate: (p, keys) => ({ key: soldOutKey(keys, p.couponId), sticky: true, answer: 'so' }),
  },
  instantAnswers: { so: { code: 'SOLD_OUT', message: 'All coupons have been issued' } },
  processor: ({ redis, config, db, lane }) =>
    claimProcessor({
      redis,
      soldOutKey: claimKeys(laneKeys(config.QUEUE_PREFIX, lane)).soldOut,
      ownerTask: preQueueDraws({
        db,
        redis,
        lane,
        queuePrefix: config.QUEUE_PREFIX,
        pauseMs: config.PRE_QUEUE_DRAW_PAUSE_MS,
      }),
    }),
  api: (deps) => {
    const count = deps.config.COUPON_LANES;
    const lanes = Array.from({ length: count }, (_, i) => deps.lanes.named(claimLaneType, claimLaneName(i, count)));
    const laneOf = (couponId: number) => lanes[couponId % count] as (typeof lanes)[number];
    const claims = { ...deps, preQueue: new PreQueue(deps), laneOf };
    return { routes: claimRoutes(claims), lookup: preQueueLookup(claims) };
  },
};
