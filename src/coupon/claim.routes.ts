// The submit route of coupon claims, mounted by the API as the claim lane type's own.
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { actingUserId, type IdentityEnv } from '../http/identity.js';
import { json, jsonBody, route } from '../http/openapi.js';
import { idParam, validationHook } from '../http/validation.js';
import { queuedAnswer, submitOptions } from '../request/submit-route.js';
import type { LaneApiDeps } from '../queues/lane-type.js';
import { submitClaim, type ClaimDeps } from './claim.submit.js';

export function claimRoutes(deps: LaneApiDeps & ClaimDeps) {
  const { identity } = deps;
  return new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook }).openapi(
    route({
      method: 'post',
      path: '/coupons/{couponId}/claims',
      operationId: 'claimCoupon',
      summary: 'Claim a coupon (queued, first come first served)',
      description:
        'One place in line per user and coupon: while a claim of the user for the coupon is QUEUED or ' +
        'PROCESSING, another claim returns that same request (same requestId, sequence and position) and ' +
        'queues nothing; once it is final, a new claim is decided as usual. An Idempotency-Key is recorded ' +
        'with the job in one Redis transaction: the same key and body return the same request on any API ' +
        'process, also after the first answer was lost (Idempotent-Replayed: true). A coupon with a pre-queue ' +
        'takes claims from preQueueOpensAt until claimStartsAt into it (202, preQueued: true, sequence null), ' +
        'one per user; at claimStartsAt they are drawn into the lane in a uniformly random order, ahead of every ' +
        'later claim. A claim after the start waits briefly for the draw, else 503 PRE_QUEUE_DRAWING.',
      tags: ['Coupons'],
      access: 'user',
      identity,
      queued: true,
      errors: { 404: ['COUPON_NOT_FOUND'], 503: ['PRE_QUEUE_DRAWING'] },
      request: {
        params: z.object({ couponId: idParam('couponId') }),
        body: jsonBody(z.object({ userId: identity.bodyUserId }).openapi('ClaimRequest'), !identity.enabled),
      },
      responses: {
        202: json(deps.resourceSchema, 'Queued; poll Location. Also a repeat whose request still waits or runs'),
        200: json(
          deps.resourceSchema,
          'Already final without queueing (the coupon is sold out), or a repeat whose request is decided',
        ),
      },
    }),
    async (c) => {
      const { couponId } = c.req.valid('param');
      const userId = actingUserId(c, c.req.valid('json').userId);
      const options = submitOptions(c, deps.limiter, userId, { userId });
      return queuedAnswer(c, deps, await submitClaim(deps, couponId, userId, options));
    },
  );
}
