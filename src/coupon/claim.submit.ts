// Accepting a coupon claim: into the coupon's lane, one place in line per user (the lane type's
// rule), or into the coupon's pre-queue before its start (pre-queue.step.ts). A claim for a coupon
// that does not exist is answered 404 and queues nothing.
import { NotFoundError } from '../common/errors.js';
import type { Lane } from '../lane/lane.js';
import type { RequestDeps, SubmitOptions } from '../request/request.service.js';
import { submitQueued, type Submitted } from '../request/submit.service.js';
import type { ClaimPayload } from './claim.payload.js';
import { preQueueStep } from './pre-queue.step.js';
import type { CouponWindow, PreQueue } from './pre-queue.js';

export interface ClaimDeps extends RequestDeps {
  preQueue: PreQueue;
  /** The lane of a coupon's claims. */
  laneOf(couponId: number): Lane<ClaimPayload>;
}

/**
 * A coupon's window is known after its first claim: then the submit goes on in this turn, and its
 * promise is handed on as it is.
 */
export function submitClaim(
  deps: ClaimDeps,
  couponId: number,
  userId: number,
  options: SubmitOptions,
): Promise<Submitted> {
  const acceptedAt = Date.now();
  const known = deps.preQueue.known(couponId);
  return known === undefined
    ? deps.preQueue
        .window(couponId)
        .then((window) => claimWithin(deps, { couponId, userId, acceptedAt }, options, window))
    : claimWithin(deps, { couponId, userId, acceptedAt }, options, known);
}

function claimWithin(
  deps: ClaimDeps,
  claim: { couponId: number; userId: number; acceptedAt: number },
  options: SubmitOptions,
  window: CouponWindow | null,
): Promise<Submitted> {
  if (!window) throw new NotFoundError('COUPON_NOT_FOUND', `Coupon ${claim.couponId} does not exist`);
  const lane = deps.laneOf(claim.couponId);
  const { couponId, userId, acceptedAt } = claim;
  const payload = { couponId, userId, acceptedAt, httpRequestId: options.httpRequestId };
  const opensAt = window.preQueueOpensAt;
  const startsAt = window.claimStartsAt;
  const before =
    opensAt !== null && startsAt !== null && claim.acceptedAt >= opensAt
      ? preQueueStep(deps, lane, { ...claim, claimStartsAt: startsAt })
      : undefined;
  return submitQueued(deps, { lane, payload, userId: claim.userId, options, before });
}
